import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted, Scope, Stream } from "effect"
import { utils, type Attributes } from "ssh2"
import { openSftp } from "../../src/worker/sftp/openSftp.js"
import type { SftpTarget } from "../../src/worker/sftp/SftpTarget.js"
import { sourceItems } from "../../src/worker/sftp/sourceItems.js"
import { SFTP_TRANSPORTS, sftpTransportLayer } from "../support/SftpTransports.js"
import { Sshd, SshdLive, startSshd, type SshdServer } from "../support/Sshd.js"

const keyTarget = (server: SshdServer, overrides: Partial<SftpTarget> = {}): SftpTarget => ({
  host: server.host,
  port: server.port,
  username: server.username,
  credentials: { _tag: "privateKey", privateKey: Redacted.make(server.privateKey) },
  hostKey: server.hostKeyFingerprint,
  ...overrides
})

const passwordTarget = (server: SshdServer, password: string): SftpTarget =>
  keyTarget(server, { credentials: { _tag: "password", password: Redacted.make(password) } })

const lstatRoot = (server: SshdServer) => (connection: Effect.Effect.Success<ReturnType<typeof openSftp>>) =>
  connection.request<Attributes>((sftp, done) => sftp.lstat(server.root, done))

// sshd keeps its command line in its process title; the log sits next to its config.
const configDirOf = (pid: number) =>
  path.dirname(/-f (\S+)/.exec(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"))?.[1] ?? "")

// A port that refuses connections: bound to find it, then closed.
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

describe.each(SFTP_TRANSPORTS)("over %s", (transport) => {
  layer(Layer.merge(SshdLive(), sftpTransportLayer(transport)), { excludeTestServices: true })("openSftp with key auth", (it) => {
    it.scoped("logs in with the key and a pinned host key", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const connection = yield* openSftp(keyTarget(server))
        expect(connection.endpoint).toBe(`127.0.0.1:${server.port}`)
        expect(connection.hostKey).toBe(server.hostKeyFingerprint)
        const attrs = yield* lstatRoot(server)(connection)
        expect(attrs.mode & 0o170000).toBe(0o040000)
      }))

    it.scoped("trusts the first key when none is pinned and reports its fingerprint", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const connection = yield* openSftp(keyTarget(server, { hostKey: null }))
        expect(connection.hostKey).toBe(server.hostKeyFingerprint)
        expect(connection.hostKey).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
      }))

    it.scoped("accepts a pinned fingerprint pasted with base64 padding", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const connection = yield* openSftp(keyTarget(server, { hostKey: `${server.hostKeyFingerprint}=` }))
        expect(connection.hostKey).toBe(server.hostKeyFingerprint)
      }))

    it.scoped("a key the server does not accept is an auth failure, not retryable", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const stranger = utils.generateKeyPairSync("ed25519")
        const error = yield* Effect.flip(openSftp(keyTarget(server, {
          credentials: { _tag: "privateKey", privateKey: Redacted.make(stranger.private) }
        })))
        expect(error.reason).toBe("auth")
        expect(error.retryable).toBe(false)
        expect(error.message).toBe(`authentication failed for user ${server.username} at 127.0.0.1:${server.port} (private key)`)
      }))

    it.scoped("a key that cannot be parsed or decrypted is an auth failure that shows no key material", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const encrypted = utils.generateKeyPairSync("ed25519", { passphrase: "right", cipher: "aes256-cbc", rounds: 16 })
        const attempts: Array<{ privateKey: Redacted.Redacted<string>; passphrase?: Redacted.Redacted<string> }> = [
          { privateKey: Redacted.make("not a key") },
          { privateKey: Redacted.make(encrypted.private) },
          { privateKey: Redacted.make(encrypted.private), passphrase: Redacted.make("wrong") }
        ]
        for (const credentials of attempts) {
          const error = yield* Effect.flip(openSftp(keyTarget(server, { credentials: { _tag: "privateKey", ...credentials } })))
          expect(error.reason).toBe("auth")
          expect(error.retryable).toBe(false)
          expect(error.message).toMatch(/^the private key for user \S+ at 127\.0\.0\.1:\d+ cannot be used: /)
          expect(error.message).not.toContain("PRIVATE KEY")
          expect(error.message).not.toContain("wrong")
        }
      }))

    it.scoped("requests after the scope closed fail with connection_lost at once instead of hanging", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const scope = yield* Scope.make()
        const connection = yield* openSftp(keyTarget(server)).pipe(Scope.extend(scope))
        yield* Scope.close(scope, Exit.void)
        const error = yield* Effect.flip(lstatRoot(server)(connection))
        expect(error._tag === "SourceFailed" && error.reason).toBe("connection_lost")
        const items = yield* Effect.flip(Stream.runDrain(sourceItems(connection, { paths: [server.root], onWarning: () => {} })))
        expect(items.reason).toBe("connection_lost")
        expect(items.retryable).toBe(true)
      }))
  })

  layer(sftpTransportLayer(transport), { excludeTestServices: true })("openSftp", (it) => {
    it.scoped("refuses a server whose host key differs from the pinned one, naming both, before sending credentials", () =>
      Effect.gen(function*() {
        const server = yield* startSshd()
        const pinned = `SHA256:${"A".repeat(43)}`
        const error = yield* Effect.flip(openSftp(keyTarget(server, { hostKey: pinned })))
        expect(error.reason).toBe("host_key_mismatch")
        expect(error.retryable).toBe(false)
        expect(error.message).toBe(
          `host key mismatch for 127.0.0.1:${server.port}: expected ${pinned}, server presented ${server.hostKeyFingerprint}`
        )
        // sshd (LogLevel VERBOSE) logs every authentication attempt; there must be none.
        const log = fs.readFileSync(path.join(configDirOf(server.pid), "sshd.log"), "utf8")
        expect(log).toContain("Connection from 127.0.0.1")
        expect(log).not.toMatch(/Accepted|Failed|Postponed|authenticating user/)
      }))

    it.scoped("logs in with a password", () =>
      Effect.gen(function*() {
        const server = yield* startSshd({ password: true })
        const connection = yield* openSftp(passwordTarget(server, server.password!))
        yield* lstatRoot(server)(connection)
      }))

    it.scoped("a wrong password is an auth failure, not retryable, and the message holds no password", () =>
      Effect.gen(function*() {
        const server = yield* startSshd({ password: true })
        const wrong = `${server.password}x`
        const error = yield* Effect.flip(openSftp(passwordTarget(server, wrong)))
        expect(error.reason).toBe("auth")
        expect(error.retryable).toBe(false)
        expect(error.message).toBe(`authentication failed for user ${server.username} at 127.0.0.1:${server.port} (password)`)
        expect(String(error)).not.toContain(wrong)
      }))

    it.effect("a host name that does not resolve is unreachable and retryable", () =>
      Effect.gen(function*() {
        const error = yield* Effect.scoped(Effect.flip(openSftp({
          host: "no-such-host.invalid",
          port: 22,
          username: "nobody",
          credentials: { _tag: "password", password: Redacted.make("secret") },
          hostKey: null
        })))
        expect(error.reason).toBe("unreachable")
        expect(error.retryable).toBe(true)
        // NXDOMAIN, or no resolver at all in a sandbox: the same words for both transports
        expect(error.message).toMatch(/^cannot reach no-such-host\.invalid:22: host name (not found|lookup failed)$/)
      }))

    it.effect("a port with nothing listening is unreachable and retryable", () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const error = yield* Effect.scoped(Effect.flip(openSftp({
          host: "127.0.0.1",
          port,
          username: "nobody",
          credentials: { _tag: "password", password: Redacted.make("secret") },
          hostKey: null
        })))
        expect(error.reason).toBe("unreachable")
        expect(error.retryable).toBe(true)
        expect(error.message).toBe(`cannot reach 127.0.0.1:${port}: connection refused`)
      }))

    it.effect("a server that never speaks SSH is unreachable after readyTimeoutMs", () =>
      Effect.gen(function*() {
        const silent = net.createServer(() => {})
        yield* Effect.acquireRelease(
          Effect.promise(() => new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()))),
          () => Effect.sync(() => silent.close())
        )
        const { port } = silent.address() as net.AddressInfo
        const started = Date.now()
        const error = yield* Effect.flip(openSftp({
          host: "127.0.0.1",
          port,
          username: "nobody",
          credentials: { _tag: "password", password: Redacted.make("secret") },
          hostKey: null,
          readyTimeoutMs: 500
        }))
        expect(error.reason).toBe("unreachable")
        expect(error.message).toBe(`cannot reach 127.0.0.1:${port}: no SSH handshake within 500 ms`)
        expect(Date.now() - started).toBeLessThan(5_000)
      }).pipe(Effect.scoped))
  })
})
