import { Effect, Redacted, type Scope } from "effect"
import ssh2, { type ConnectConfig } from "ssh2"
import { describeConnectError, type ConnectContext } from "./describeConnectError.js"
import { hostKeyFingerprint, sameFingerprint } from "./hostKeyFingerprint.js"
import type { SftpTarget } from "./SftpTarget.js"
import { SourceFailed } from "../source/SourceFailed.js"

// ssh2 is CommonJS: Node's ESM loader exposes only its default export at run time.
const { Client, utils } = ssh2
type Client = ssh2.Client

const DEFAULT_READY_TIMEOUT_MS = 20_000
// A silent peer (host gone, cable pulled) is declared dead after about 3 x 10 s.
const KEEPALIVE_INTERVAL_MS = 10_000
const KEEPALIVE_COUNT_MAX = 3
const CLOSE_GRACE_MS = 2_000
// AES-GCM moves about 25% more per CPU second than chacha20-poly1305 here (docs/benchmarks.md); ssh2 orders
// its defaults from /proc/cpuinfo, so pin the preference. A server without GCM still gets ssh2's other ciphers.
const GCM_FIRST: Array<ssh2.CipherAlgorithm> = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]
const CIPHERS: ssh2.AlgorithmList<ssh2.CipherAlgorithm> = { remove: GCM_FIRST, prepend: GCM_FIRST, append: [] }

const credentialsOf = (target: SftpTarget, context: ConnectContext): Partial<ConnectConfig> | SourceFailed => {
  const { credentials } = target
  if (credentials._tag === "password") return { password: Redacted.value(credentials.password) }
  const privateKey = Redacted.value(credentials.privateKey)
  const passphrase = credentials.passphrase === undefined ? undefined : Redacted.value(credentials.passphrase)
  // Parse up front: ssh2 throws from connect() otherwise, and its messages are fixed strings without key material.
  const parsed = utils.parseKey(privateKey, passphrase)
  if (parsed instanceof Error) {
    return new SourceFailed({
      reason: "auth",
      message: `the private key for user ${target.username} at ${context.endpoint} cannot be used: ${parsed.message}`
    })
  }
  return passphrase === undefined ? { privateKey } : { privateKey, passphrase }
}

// end() lets ssh2 say goodbye; destroy() after a grace period so a dead peer cannot hold the scope open.
const closeClient = (client: Client, closed: () => boolean) =>
  Effect.async<void>((resume) => {
    if (closed()) return resume(Effect.void)
    const timer = setTimeout(() => {
      client.destroy()
      resume(Effect.void)
    }, CLOSE_GRACE_MS)
    client.once("close", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    client.end()
  })

/** Connects and authenticates; the client is ended when the Scope closes. */
export const connectClient = (
  target: SftpTarget
): Effect.Effect<{ readonly client: Client; readonly hostKey: string }, SourceFailed, Scope.Scope> => {
  const readyTimeoutMs = target.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
  const context: { -readonly [K in keyof ConnectContext]: ConnectContext[K] } = {
    endpoint: `${target.host}:${target.port}`,
    username: target.username,
    method: target.credentials._tag === "password" ? "password" : "private key",
    readyTimeoutMs
  }
  let closed = false
  return Effect.acquireRelease(
    Effect.async<{ client: Client; hostKey: string }, SourceFailed>((resume) => {
      const credentials = credentialsOf(target, context)
      if (credentials instanceof SourceFailed) return resume(Effect.fail(credentials))
      const client = new Client()
      let hostKey = ""
      let settled = false
      const settle = (outcome: Effect.Effect<{ client: Client; hostKey: string }, SourceFailed>) => {
        if (settled) return
        settled = true
        resume(outcome)
      }
      client.once("ready", () => settle(Effect.succeed({ client, hostKey })))
      // The listener stays for the client's life: an 'error' without one would crash the worker.
      client.on("error", (error: Error) => {
        if (settled) return
        client.destroy()
        settle(Effect.fail(describeConnectError(error, context)))
      })
      client.on("close", () => {
        closed = true
        settle(Effect.fail(describeConnectError(new Error("connection lost before handshake"), context)))
      })
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        ...credentials,
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        algorithms: { cipher: CIPHERS },
        // Runs during key exchange, before any credential is sent.
        hostVerifier: (key: Buffer) => {
          hostKey = hostKeyFingerprint(key)
          if (target.hostKey === null || sameFingerprint(target.hostKey, hostKey)) return true
          context.mismatch = { expected: target.hostKey, presented: hostKey }
          return false
        }
      })
      return Effect.sync(() => client.destroy())
    }),
    ({ client }) => closeClient(client, () => closed)
  )
}

