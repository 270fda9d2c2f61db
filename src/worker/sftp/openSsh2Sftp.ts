import { Effect, type Scope } from "effect"
import type { SFTPWrapper } from "ssh2"
import { connectClient } from "./connectClient.js"
import { makeSftpConnection, type SftpConnection, type SftpLink } from "./SftpConnection.js"
import type { SftpTarget } from "./SftpTarget.js"
import { noSftpSession } from "./describeConnectError.js"
import type { SourceFailed } from "../source/SourceFailed.js"

/** openSftp over ssh2's client, in the worker's main thread. */
export const openSsh2Sftp = (target: SftpTarget): Effect.Effect<SftpConnection, SourceFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const endpoint = `${target.host}:${target.port}`
    const { client, hostKey } = yield* connectClient(target)
    const sftp = yield* Effect.async<SFTPWrapper, SourceFailed>((resume) => {
      client.sftp((error, session) =>
        resume(
          error
            ? Effect.fail(noSftpSession(endpoint, error.message))
            : Effect.succeed(session)
        )
      )
    })
    // ssh2 keeps its socket private; without it, writes are simply not batched.
    const output = (client as unknown as { _sock?: SftpLink["output"] })._sock
    return makeSftpConnection({ events: client, output }, sftp, endpoint, hostKey)
  })
