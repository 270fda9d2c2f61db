import { Effect, type Scope } from "effect"
import ssh2 from "ssh2"
import { credentialsOf } from "./credentialsOf.js"
import { connectContextOf, describeConnectError } from "./describeConnectError.js"
import { hostKeyFingerprint, sameFingerprint } from "./hostKeyFingerprint.js"
import { CLOSE_GRACE_MS, KEEPALIVE_COUNT_MAX, KEEPALIVE_INTERVAL_MS } from "./sessionTimings.js"
import type { SftpTarget } from "./SftpTarget.js"
import { SourceFailed } from "../source/SourceFailed.js"

// ssh2 is CommonJS: Node's ESM loader exposes only its default export at run time.
const { Client } = ssh2
type Client = ssh2.Client

// AES-GCM moves about 25% more per CPU second than chacha20-poly1305 here (docs/benchmarks.md); ssh2 orders
// its defaults from /proc/cpuinfo, so pin the preference. A server without GCM still gets ssh2's other ciphers.
const GCM_FIRST: Array<ssh2.CipherAlgorithm> = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]
const CIPHERS: ssh2.AlgorithmList<ssh2.CipherAlgorithm> = { remove: GCM_FIRST, prepend: GCM_FIRST, append: [] }

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
  const context = connectContextOf(target)
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
        readyTimeout: context.readyTimeoutMs,
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

