import { execFile } from "node:child_process"
import { Config, ConfigError, Context, Effect, Layer } from "effect"

/** How a job reaches an SFTP server: OpenSSH's `ssh` client as a child process, or ssh2 inside the worker. */
export type SftpTransportName = "openssh" | "ssh2"

const TRANSPORTS: ReadonlyArray<SftpTransportName> = ["openssh", "ssh2"]

// Chosen by measurement, docs/benchmarks.md "Transport": ssh moves the crypto off the main thread.
const DEFAULT_TRANSPORT: SftpTransportName = "openssh"

export const SftpTransportConfig = Config.string("WORKER_SFTP_TRANSPORT").pipe(
  Config.withDefault(DEFAULT_TRANSPORT),
  Config.validate({
    message: `WORKER_SFTP_TRANSPORT must be one of: ${TRANSPORTS.join(", ")}`,
    validation: (value): value is SftpTransportName => (TRANSPORTS as ReadonlyArray<string>).includes(value)
  })
)

/** The transport openSftp uses; the worker sets it from WORKER_SFTP_TRANSPORT at start-up. */
export class SftpTransport extends Context.Reference<SftpTransport>()("worker/SftpTransport", {
  defaultValue: (): SftpTransportName => DEFAULT_TRANSPORT
}) {}

const sshVersion = Effect.async<string, ConfigError.ConfigError>((resume) => {
  execFile("ssh", ["-V"], { timeout: 10_000 }, (error, _stdout, stderr) =>
    resume(
      error
        ? Effect.fail(ConfigError.InvalidData(
          ["WORKER_SFTP_TRANSPORT"],
          `WORKER_SFTP_TRANSPORT=openssh needs OpenSSH's ssh client on PATH (${error.message}); install openssh-client or set WORKER_SFTP_TRANSPORT=ssh2`
        ))
        : Effect.succeed(String(stderr).trim())
    ))
})

/** Reads WORKER_SFTP_TRANSPORT, checks that `ssh` runs when it is needed, and says which transport jobs use. */
export const SftpTransportLive = Layer.effect(
  SftpTransport,
  Effect.gen(function*() {
    const transport = yield* SftpTransportConfig
    const detail = transport === "openssh" ? ` (${yield* sshVersion})` : ""
    yield* Effect.logInfo(`sftp transport: ${transport}${detail}`)
    return transport
  })
)
