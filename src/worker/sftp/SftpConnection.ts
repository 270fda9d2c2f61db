import type { EventEmitter } from "node:events"
import { Effect } from "effect"
import type { SFTPWrapper } from "ssh2"
import { connectionLost } from "./connectionLost.js"
import { SftpStatus, SFTP_EOF } from "./SftpStatus.js"
import { SourceFailed } from "../source/SourceFailed.js"

export type SftpError = SftpStatus | SourceFailed
export type SftpSend<A> = (sftp: SFTPWrapper, done: (error: Error | null | undefined, value?: A) => void) => void
export type OnReply<A> = (error: SftpError | undefined, value?: A) => void

/** An authenticated SFTP session; it lives as long as the Scope `openSftp` ran in. */
export interface SftpConnection {
  /** "host:port", as error messages name the server. */
  readonly endpoint: string
  /** Fingerprint of the host key the server presented ("SHA256:…", as OpenSSH prints it); record it to pin the host. */
  readonly hostKey: string
  /**
   * Sends one SFTP request; `onReply` is called exactly once: with SftpStatus when the server refuses it for
   * that path, with connection_lost as soon as the connection or channel goes away (a request never waits on
   * a dead connection), or with the answer. Callers keep many in flight for speed.
   */
  readonly send: <A>(send: SftpSend<A>, onReply: OnReply<A>) => void
  /** One request as an Effect. */
  readonly request: <A>(send: SftpSend<A>) => Effect.Effect<A, SftpError>
}

const NO_CONNECTION = 6
const CONNECTION_LOST = 7

const classify = (endpoint: string, error: Error & { readonly code?: unknown }): SftpError => {
  const code = error.code
  if (code === NO_CONNECTION || code === CONNECTION_LOST || error.message === "No response from server") {
    return connectionLost(endpoint, `(${error.message.toLowerCase()})`)
  }
  // every other status answers one request (a bad name, an unsupported operation): that path's problem, not the session's
  if (typeof code === "number" && code >= SFTP_EOF) return new SftpStatus({ code, message: error.message })
  return new SourceFailed({ reason: "protocol", message: `the SFTP server at ${endpoint} answered: ${error.message}` })
}

/** What carries the SFTP bytes: it emits 'error' and 'close' when it goes away; `output` batches writes if given. */
export interface SftpLink {
  readonly events: EventEmitter
  readonly output: { readonly cork?: () => void; readonly uncork?: () => void } | undefined
}

export const makeSftpConnection = (link: SftpLink, sftp: SFTPWrapper, endpoint: string, hostKey: string): SftpConnection => {
  const pending = new Set<(error: SftpError) => void>()
  let lost: SourceFailed | undefined

  // ssh2 drops requests sent after its channel closed without ever answering them: answer them here instead.
  const markLost = (why: string) => {
    lost ??= connectionLost(endpoint, `(${why})`)
    const waiting = [...pending]
    pending.clear()
    for (const fail of waiting) fail(lost)
  }
  link.events.on("error", (error: Error) => markLost(error.message.toLowerCase()))
  link.events.on("close", () => markLost("the connection closed"))
  sftp.on("error", (error: Error) => markLost(error.message.toLowerCase()))
  sftp.on("close", () => markLost("the SFTP channel closed"))

  // Requests sent in one tick (a burst of small-file reads) leave in one write instead of one write per packet.
  const socket = link.output
  let corked = false
  const cork = () => {
    if (corked || typeof socket?.cork !== "function") return
    corked = true
    socket.cork()
    process.nextTick(() => {
      corked = false
      socket.uncork?.()
    })
  }

  const send = <A>(request: SftpSend<A>, onReply: OnReply<A>) => {
    if (lost !== undefined) return onReply(lost)
    cork()
    const fail = (error: SftpError) => onReply(error)
    pending.add(fail)
    try {
      request(sftp, (error, value) => {
        if (!pending.delete(fail)) return
        if (error) onReply(classify(endpoint, error))
        else onReply(undefined, value)
      })
    } catch (error) {
      if (pending.delete(fail)) onReply(classify(endpoint, error instanceof Error ? error : new Error(String(error))))
    }
  }

  const request = <A>(sftpRequest: SftpSend<A>) =>
    Effect.async<A, SftpError>((resume) =>
      send<A>(sftpRequest, (error, value) => resume(error === undefined ? Effect.succeed(value as A) : Effect.fail(error)))
    )

  return { endpoint, hostKey, send, request }
}
