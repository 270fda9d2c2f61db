import { Effect } from "effect"
import type { OnReply, SftpConnection, SftpError, SftpSend } from "../SftpConnection.js"

export interface TrackedConnection {
  readonly connection: SftpConnection
  /** Until every request sent so far (and any sent from its reply) has been answered. */
  readonly drained: Effect.Effect<void>
}

/**
 * The connection, counting unanswered requests. A failed restore waits for them before cleaning
 * up, so it knows every file and directory that was created (many are in flight when it fails).
 * SftpConnection answers every request, with connection_lost if need be, so the count reaches zero.
 */
export const trackRequests = (connection: SftpConnection): TrackedConnection => {
  let pending = 0
  let waiters: Array<() => void> = []
  const send = <A>(request: SftpSend<A>, onReply: OnReply<A>) => {
    pending++
    connection.send<A>(request, (error, value) => {
      try {
        onReply(error, value)
      } finally {
        if (--pending === 0) {
          const ready = waiters
          waiters = []
          for (const wake of ready) wake()
        }
      }
    })
  }
  const request = <A>(sftpRequest: SftpSend<A>) =>
    Effect.async<A, SftpError>((resume) =>
      send<A>(sftpRequest, (error, value) => resume(error === undefined ? Effect.succeed(value as A) : Effect.fail(error)))
    )
  const drained = Effect.async<void>((resume) => {
    if (pending === 0) return resume(Effect.void)
    waiters.push(() => resume(Effect.void))
  })
  return { connection: { ...connection, send, request }, drained }
}
