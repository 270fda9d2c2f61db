import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it, layer } from "@effect/vitest"
import { Duration, Effect, Exit, Scope } from "effect"
import { Client, utils, type SFTPWrapper } from "ssh2"
import { Sshd, SshdLive, startSshd, type SshdServer } from "../support/Sshd.js"

type SshError = Error & { readonly level?: string; readonly code?: string }

interface Connection {
  readonly client: Client
  readonly hostKey: Buffer
  readonly closed: Promise<void>
}

const connect = (server: SshdServer, auth: { readonly privateKey: string } | { readonly password: string }) =>
  Effect.acquireRelease(
    Effect.async<Connection, SshError>((resume) => {
      const client = new Client()
      let hostKey: Buffer = Buffer.alloc(0)
      let settled = false
      const closed = new Promise<void>((resolve) => client.once("close", () => resolve()))
      client.once("ready", () => {
        settled = true
        resume(Effect.succeed({ client, hostKey, closed }))
      })
      // Keep a listener for the whole life of the client: errors after "ready" must not crash the worker.
      client.on("error", (error) => {
        if (settled) return
        settled = true
        client.end()
        resume(Effect.fail(error))
      })
      client.connect({
        host: server.host,
        port: server.port,
        username: server.username,
        ...auth,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => {
          hostKey = key
          return true
        }
      })
      return Effect.sync(() => {
        client.end()
      })
    }),
    ({ client }) => Effect.sync(() => client.end())
  )

const sftp = (client: Client) =>
  Effect.async<SFTPWrapper, Error>((resume) => {
    client.sftp((error, session) => resume(error ? Effect.fail(error) : Effect.succeed(session)))
  })

const readdir = (session: SFTPWrapper, dir: string) =>
  Effect.async<Array<string>, Error>((resume) =>
    session.readdir(dir, (error, list) =>
      resume(error ? Effect.fail(error) : Effect.succeed(list.map((entry) => entry.filename).sort()))
    )
  )

const readFile = (session: SFTPWrapper, file: string) =>
  Effect.async<string, Error>((resume) =>
    session.readFile(file, (error, data) => resume(error ? Effect.fail(error) : Effect.succeed(data.toString("utf8"))))
  )

const writeFile = (session: SFTPWrapper, file: string, content: string) =>
  Effect.async<void, Error>((resume) =>
    session.writeFile(file, content, (error) => resume(error ? Effect.fail(error) : Effect.void))
  )

const exec = (client: Client, command: string) =>
  Effect.async<{ readonly code: number; readonly stdout: Buffer }, Error>((resume) => {
    client.exec(command, (error, stream) => {
      if (error) return resume(Effect.fail(error))
      const chunks: Array<Buffer> = []
      let code = -1
      stream.on("data", (chunk: Buffer) => chunks.push(chunk))
      stream.stderr.resume()
      stream.on("exit", (exitCode: number) => {
        code = exitCode
      })
      stream.on("close", () => resume(Effect.succeed({ code, stdout: Buffer.concat(chunks) })))
    })
  })

const fingerprint = (key: Buffer) => `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const userExists = (username: string) =>
  fs.readFileSync("/etc/passwd", "utf8").split("\n").some((line) => line.startsWith(`${username}:`))

// sshd rewrites its process title, but keeps its command line in it.
const configDirOf = (pid: number) => {
  const config = /-f (\S+)/.exec(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"))?.[1]
  expect(config).toBeDefined()
  return path.dirname(config!)
}

describe("startSshd", () => {
  it.scopedLive("serves SFTP over key auth with the advertised host key", () =>
    Effect.gen(function*() {
      const server = yield* startSshd()
      expect(server.host).toBe("127.0.0.1")
      expect(server.password).toBeUndefined()
      expect(path.isAbsolute(server.root)).toBe(true)
      expect(server.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
      fs.writeFileSync(path.join(server.root, "hello.txt"), "hello from the source\n")

      const { client, hostKey } = yield* connect(server, { privateKey: server.privateKey })
      expect(fingerprint(hostKey)).toBe(server.hostKeyFingerprint)
      const session = yield* sftp(client)
      expect(yield* readdir(session, server.root)).toEqual(["hello.txt"])
      expect(yield* readFile(session, path.join(server.root, "hello.txt"))).toBe("hello from the source\n")
    }))

  it.scopedLive("runs plain commands, so `ssh host tar cf - DIR` works", () =>
    Effect.gen(function*() {
      const server = yield* startSshd()
      fs.writeFileSync(path.join(server.root, "data.bin"), "payload")
      const { client } = yield* connect(server, { privateKey: server.privateKey })
      const result = yield* exec(client, `tar cf - -C ${server.root} .`)
      expect(result.code).toBe(0)
      expect(result.stdout.toString("latin1")).toContain("data.bin")
      expect(result.stdout.toString("latin1")).toContain("payload")
    }))

  it.scopedLive("rejects a key that is not authorized", () =>
    Effect.gen(function*() {
      const server = yield* startSshd()
      const stranger = utils.generateKeyPairSync("ed25519")
      const error = yield* Effect.flip(connect(server, { privateKey: stranger.private }))
      expect(error.level).toBe("client-authentication")
    }))

  it.scopedLive("supports password auth (and key auth) for a throwaway user that owns root", () =>
    Effect.gen(function*() {
      const server = yield* startSshd({ password: true })
      expect(server.password).toEqual(expect.any(String))
      expect(server.username).toMatch(/^xv[0-9a-f]+$/)
      expect(server.username.length).toBeLessThanOrEqual(32)
      fs.writeFileSync(path.join(server.root, "in.txt"), "readable")

      const byPassword = yield* connect(server, { password: server.password! })
      const session = yield* sftp(byPassword.client)
      yield* writeFile(session, path.join(server.root, "out.txt"), "written over sftp")
      expect(yield* readdir(session, server.root)).toEqual(["in.txt", "out.txt"])
      expect(yield* readFile(session, path.join(server.root, "in.txt"))).toBe("readable")
      expect(fs.readFileSync(path.join(server.root, "out.txt"), "utf8")).toBe("written over sftp")

      const byKey = yield* connect(server, { privateKey: server.privateKey })
      expect(yield* readdir(yield* sftp(byKey.client), server.root)).toEqual(["in.txt", "out.txt"])
    }))

  it.scopedLive("rejects a wrong password", () =>
    Effect.gen(function*() {
      const server = yield* startSshd({ password: true })
      const error = yield* Effect.flip(connect(server, { password: `${server.password}x` }))
      expect(error.level).toBe("client-authentication")
    }))

  it.scopedLive("stop kills sshd and its live sessions; stop is idempotent", () =>
    Effect.gen(function*() {
      const server = yield* startSshd()
      const { client, closed } = yield* connect(server, { privateKey: server.privateKey })
      yield* sftp(client)

      yield* server.stop
      yield* server.stop
      yield* Effect.promise(() => closed).pipe(Effect.timeout(Duration.seconds(5)))
      expect(isRunning(server.pid)).toBe(false)
      const error = yield* Effect.flip(connect(server, { privateKey: server.privateKey }))
      expect(error.code).toBe("ECONNREFUSED")
    }))

  const startInOwnScope = (options?: { readonly password?: boolean }) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const close = Scope.close(scope, Exit.void)
      const server = yield* startSshd(options).pipe(Scope.extend(scope), Effect.onError(() => close))
      const configDir = yield* Effect.sync(() => configDirOf(server.pid)).pipe(Effect.onError(() => close))
      return { server, configDir, close }
    })

  it.live("closing the scope kills sshd and removes its temp dirs", () =>
    Effect.gen(function*() {
      const { close, configDir, server } = yield* startInOwnScope()
      yield* Effect.sync(() => {
        expect(fs.existsSync(server.root)).toBe(true)
        expect(fs.existsSync(configDir)).toBe(true)
        expect(isRunning(server.pid)).toBe(true)
      }).pipe(Effect.onError(() => close))

      yield* close

      expect(fs.existsSync(server.root)).toBe(false)
      expect(fs.existsSync(configDir)).toBe(false)
      expect(isRunning(server.pid)).toBe(false)
    }))

  it.live("closing the scope removes the throwaway password user", () =>
    Effect.gen(function*() {
      const { close, server } = yield* startInOwnScope({ password: true })
      yield* Effect.sync(() => expect(userExists(server.username)).toBe(true)).pipe(Effect.onError(() => close))

      yield* close

      expect(userExists(server.username)).toBe(false)
      expect(fs.existsSync(server.root)).toBe(false)
      expect(isRunning(server.pid)).toBe(false)
    }))

  it.scopedLive("runs two servers at once on different ports", () =>
    Effect.gen(function*() {
      const [a, b] = yield* Effect.all([startSshd(), startSshd()], { concurrency: 2 })
      expect(a.port).not.toBe(b.port)
      expect(a.root).not.toBe(b.root)
      fs.writeFileSync(path.join(a.root, "a.txt"), "a")
      fs.writeFileSync(path.join(b.root, "b.txt"), "b")
      const sessionA = yield* sftp((yield* connect(a, { privateKey: a.privateKey })).client)
      const sessionB = yield* sftp((yield* connect(b, { privateKey: b.privateKey })).client)
      expect(yield* readdir(sessionA, a.root)).toEqual(["a.txt"])
      expect(yield* readdir(sessionB, b.root)).toEqual(["b.txt"])
    }))
})

// Default `layer` builds under TestClock: the helper must not depend on Effect's clock.
layer(SshdLive())("SshdLive", (it) => {
  it.scoped("provides a running server through the Sshd tag", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const { client } = yield* connect(server, { privateKey: server.privateKey })
      expect(yield* readdir(yield* sftp(client), server.root)).toEqual([])
    }))
})
