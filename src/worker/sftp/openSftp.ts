import { Effect, type Scope } from "effect"
import { openSshSftp } from "./openssh/openSshSftp.js"
import { openSsh2Sftp } from "./openSsh2Sftp.js"
import type { SftpConnection } from "./SftpConnection.js"
import type { SftpTarget } from "./SftpTarget.js"
import { SftpTransport } from "./SftpTransport.js"
import type { SourceFailed } from "../source/SourceFailed.js"

/**
 * Logs in to `target` and opens its SFTP subsystem over the worker's SftpTransport. A pinned host key
 * that differs fails with host_key_mismatch before any credential is sent. Everything is closed when
 * the Scope closes.
 */
export const openSftp = (target: SftpTarget): Effect.Effect<SftpConnection, SourceFailed, Scope.Scope> =>
  Effect.flatMap(SftpTransport, (transport) => transport === "openssh" ? openSshSftp(target) : openSsh2Sftp(target))
