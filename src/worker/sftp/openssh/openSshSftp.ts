import { Effect, type Scope } from "effect"
import type { SFTPWrapper } from "ssh2"
import { credentialsOf } from "../credentialsOf.js"
import { connectContextOf, describeConnectError, noSftpSession } from "../describeConnectError.js"
import { sameFingerprint } from "../hostKeyFingerprint.js"
import { KEEPALIVE_COUNT_MAX, KEEPALIVE_INTERVAL_MS } from "../sessionTimings.js"
import { makeSftpConnection, type SftpConnection } from "../SftpConnection.js"
import type { SftpTarget } from "../SftpTarget.js"
import { SourceFailed } from "../../source/SourceFailed.js"
import { describeSshExit } from "./describeSshExit.js"
import { sftpOverStdio } from "./sftpOverStdio.js"
import { sshArgs } from "./sshArgs.js"
import { sshFiles } from "./sshFiles.js"
import { sshProcess, type SshProcess } from "./sshProcess.js"

type Context = ReturnType<typeof connectContextOf>

const presentedKey = (target: SftpTarget, presented: string | undefined, context: Context) => {
  if (presented !== undefined && target.hostKey !== null && !sameFingerprint(target.hostKey, presented)) {
    context.mismatch = { expected: target.hostKey, presented }
  }
}

// Waits for the SFTP VERSION (and limits) answer; ssh exiting first says why it could not connect.
const sessionReady = (ssh: SshProcess, sftp: SFTPWrapper, exitError: () => SourceFailed, context: Context) =>
  Effect.async<void, SourceFailed>((resume) => {
    const { child } = ssh
    const cleanUp = () => {
      clearTimeout(timer)
      sftp.off("ready", onReady)
      sftp.off("error", onSftpError)
      child.off("close", onClose)
      child.off("error", onSpawnError)
    }
    const settle = (outcome: Effect.Effect<void, SourceFailed>) => {
      cleanUp()
      resume(outcome)
    }
    const timer = setTimeout(
      () => settle(Effect.fail(describeConnectError(Object.assign(new Error("timeout"), { level: "client-timeout" }), context))),
      context.readyTimeoutMs
    )
    const onReady = () => settle(Effect.void)
    const onSftpError = (error: Error) => settle(Effect.fail(noSftpSession(context.endpoint, error.message)))
    const onClose = () => settle(Effect.fail(exitError()))
    const onSpawnError = (error: Error) =>
      settle(Effect.fail(new SourceFailed({ reason: "protocol", message: `cannot run ssh for ${context.endpoint}: ${error.message}` })))
    sftp.once("ready", onReady)
    sftp.once("error", onSftpError)
    child.once("close", onClose)
    child.once("error", onSpawnError)
    return Effect.sync(cleanUp)
  })

/**
 * openSftp over OpenSSH's `ssh -s … sftp`: the SSH crypto runs in the ssh process (the other core),
 * and ssh2's SFTP client speaks SFTP v3 over its stdio. The key, password or passphrase and the pin
 * live in a 0700 temp dir for the session; ssh and the dir are gone when the Scope closes.
 */
export const openSshSftp = (target: SftpTarget): Effect.Effect<SftpConnection, SourceFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const context = connectContextOf(target)
    const credentials = credentialsOf(target, context)
    if (credentials instanceof SourceFailed) return yield* credentials
    const files = yield* sshFiles(credentials, target.hostKey)
    let connected = false
    const ssh = yield* sshProcess(
      sshArgs({
        host: target.host,
        port: target.port,
        username: target.username,
        method: context.method,
        connectTimeoutMs: context.readyTimeoutMs,
        keepaliveIntervalMs: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        files
      }),
      files,
      () => connected
    )
    const { child } = ssh
    const { sftp, setServerSoftware } = sftpOverStdio(child.stdout, child.stdin)
    ssh.onServerSoftware(setServerSoftware)
    yield* sessionReady(ssh, sftp, () => {
      presentedKey(target, files.presented(), context)
      return describeSshExit(ssh.stderr(), context)
    }, context)
    connected = true
    const hostKey = files.presented()
    if (hostKey === undefined) {
      return yield* new SourceFailed({ reason: "protocol", message: `ssh did not show the host key of ${context.endpoint}` })
    }
    return makeSftpConnection({ events: child, output: child.stdin }, sftp, context.endpoint, hostKey)
  })
