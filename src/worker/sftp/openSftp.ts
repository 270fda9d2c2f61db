import { Effect, type Scope } from "effect"
import type { SFTPWrapper } from "ssh2"
import { connectClient } from "./connectClient.js"
import { makeSftpConnection, type SftpConnection } from "./SftpConnection.js"
import type { SftpTarget } from "./SftpTarget.js"
import { SourceFailed } from "../source/SourceFailed.js"

/**
 * Logs in to `target` and opens its SFTP subsystem. A pinned host key that differs fails with
 * host_key_mismatch before any credential is sent. Everything is closed when the Scope closes.
 */
export const openSftp = (target: SftpTarget): Effect.Effect<SftpConnection, SourceFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const endpoint = `${target.host}:${target.port}`
    const { client, hostKey } = yield* connectClient(target)
    const sftp = yield* Effect.async<SFTPWrapper, SourceFailed>((resume) => {
      client.sftp((error, session) =>
        resume(
          error
            ? Effect.fail(new SourceFailed({
              reason: "protocol",
              message: `the server at ${endpoint} did not open an SFTP session: ${error.message}`
            }))
            : Effect.succeed(session)
        )
      )
    })
    return makeSftpConnection(client, sftp, endpoint, hostKey)
  })
