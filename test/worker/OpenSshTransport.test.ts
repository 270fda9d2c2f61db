import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { expect, layer } from "@effect/vitest"
import { Effect, Exit, Fiber, Redacted, Scope } from "effect"
import type { Attributes } from "ssh2"
import { openSftp } from "../../src/worker/sftp/openSftp.js"
import type { SftpTarget } from "../../src/worker/sftp/SftpTarget.js"
import { sftpTransportLayer } from "../support/SftpTransports.js"
import { startSshd, type SshdServer } from "../support/Sshd.js"

interface SshChild {
  readonly pid: number
  readonly argv: ReadonlyArray<string>
  readonly env: ReadonlyArray<string>
  /** The session's temp dir, from the IdentityFile or KnownHostsCommand on its command line. */
  readonly dir: string
}

const readProc = (pid: number, file: string) => {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8")
  } catch {
    return ""
  }
}

const alive = (pid: number) => {
  const stat = readProc(pid, "stat")
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
}

/** The `ssh` processes this test process started, as /proc shows them to anyone on the machine. */
const sshChildren = (): Array<SshChild> =>
  fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    const pid = Number(name)
    const stat = readProc(pid, "stat")
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
    if (ppid !== process.pid || readProc(pid, "comm").trim() !== "ssh") return []
    const argv = readProc(pid, "cmdline").split("\0").filter((a) => a !== "")
    const dir = /KnownHostsCommand=\/bin\/sh (\S+)\/known-host/.exec(argv.join(" "))?.[1] ?? ""
    return [{ pid, argv, env: readProc(pid, "environ").split("\0").filter((e) => e !== ""), dir }]
  })

const waitFor = <A>(find: () => A | undefined, ms = 10_000) =>
  Effect.promise(async () => {
    const deadline = Date.now() + ms
    for (;;) {
      const found = find()
      if (found !== undefined) return found
      if (Date.now() > deadline) throw new Error("timed out waiting")
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })

const target = (server: SshdServer, credentials: SftpTarget["credentials"], overrides: Partial<SftpTarget> = {}): SftpTarget => ({
  host: server.host,
  port: server.port,
  username: server.username,
  credentials,
  hostKey: server.hostKeyFingerprint,
  ...overrides
})

const lstatRoot = (server: SshdServer) => (connection: Effect.Effect.Success<ReturnType<typeof openSftp>>) =>
  connection.request<Attributes>((sftp, done) => sftp.lstat(server.root, done))

// Opens a session in a scope of its own and hands back the ssh process as it ran.
const withSession = (t: SftpTarget, server: SshdServer) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const connection = yield* openSftp(t).pipe(Scope.extend(scope))
    yield* lstatRoot(server)(connection)
    const [child] = sshChildren()
    yield* Scope.close(scope, Exit.void)
    return child!
  })

const silentServer = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<net.Server>((resolve) => {
      const server = net.createServer(() => {})
      server.listen(0, "127.0.0.1", () => resolve(server))
    })
  ),
  (server) => Effect.sync(() => server.close())
)

layer(sftpTransportLayer("openssh"), { excludeTestServices: true })("the OpenSSH transport", (it) => {
  it.scoped("a password reaches ssh through askpass only: not on its command line, not in its environment", () =>
    Effect.gen(function*() {
      const server = yield* startSshd({ password: true })
      const password = server.password!
      const child = yield* withSession(target(server, { _tag: "password", password: Redacted.make(password) }), server)
      expect(child.argv[0]).toBe("ssh")
      expect(child.argv.join(" ")).not.toContain(password)
      expect(child.env.join("\n")).not.toContain(password)
      expect(child.env.map((e) => e.split("=")[0]).sort()).toEqual(["LC_ALL", "PATH", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE"])
      expect(child.env).toContain("SSH_ASKPASS_REQUIRE=force")
      expect(child.argv).toContain("StrictHostKeyChecking=yes")
      expect(child.argv.slice(0, 3)).toEqual(["ssh", "-F", "/dev/null"])
      // the dir with the secret went with the session, and so did ssh
      expect(child.dir).toMatch(/xvault-ssh-/)
      expect(fs.existsSync(child.dir)).toBe(false)
      expect(alive(child.pid)).toBe(false)
    }))

  it.scoped("a passphrase-protected key logs in; neither key nor passphrase is on ssh's command line or environment", () =>
    Effect.gen(function*() {
      const server = yield* startSshd()
      const passphrase = "correct horse battery"
      const keyFile = path.join(path.dirname(server.root), `${path.basename(server.root)}-key`)
      fs.writeFileSync(keyFile, server.privateKey, { mode: 0o600 })
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(keyFile, { force: true })))
      execFileSync("ssh-keygen", ["-q", "-p", "-P", "", "-N", passphrase, "-f", keyFile])
      const encrypted = fs.readFileSync(keyFile, "utf8")
      const child = yield* withSession(target(server, {
        _tag: "privateKey",
        privateKey: Redacted.make(encrypted),
        passphrase: Redacted.make(passphrase)
      }), server)
      const seen = `${child.argv.join(" ")}\n${child.env.join("\n")}`
      expect(seen).not.toContain(passphrase)
      expect(seen).not.toContain("PRIVATE KEY")
      expect(seen).not.toContain(encrypted.split("\n")[1]!)
      expect(child.argv).toContain(`IdentityFile=${child.dir}/identity`)
      expect(fs.existsSync(child.dir)).toBe(false)
    }))

  it.scoped("a failed connect removes ssh and its temp dir", () =>
    Effect.gen(function*() {
      const server = yield* startSshd()
      const fiber = yield* Effect.fork(Effect.scoped(Effect.flip(openSftp(target(server, {
        _tag: "privateKey",
        privateKey: Redacted.make(server.privateKey)
      }, { hostKey: `SHA256:${"B".repeat(43)}` })))))
      const child = yield* waitFor(() => sshChildren().find((c) => fs.existsSync(c.dir)))
      const error = yield* Fiber.join(fiber)
      expect(error.reason).toBe("host_key_mismatch")
      expect(fs.existsSync(child.dir)).toBe(false)
      expect(alive(child.pid)).toBe(false)
    }))

  it.scoped("interrupted while connecting: ssh is killed and its temp dir removed at once", () =>
    Effect.gen(function*() {
      const silent = yield* silentServer
      const { port } = silent.address() as net.AddressInfo
      const fiber = yield* Effect.fork(Effect.scoped(openSftp({
        host: "127.0.0.1",
        port,
        username: "nobody",
        credentials: { _tag: "password", password: Redacted.make("secret") },
        hostKey: null,
        readyTimeoutMs: 60_000
      })))
      const child = yield* waitFor(() => sshChildren().find((c) => fs.existsSync(c.dir)))
      const started = Date.now()
      yield* Fiber.interrupt(fiber)
      expect(Date.now() - started).toBeLessThan(3_000)
      expect(fs.existsSync(child.dir)).toBe(false)
      expect(alive(child.pid)).toBe(false)
    }))

  it.scoped("the temp dir is 0700 and the secret files in it 0600 while the session runs", () =>
    Effect.gen(function*() {
      const server = yield* startSshd({ password: true })
      yield* openSftp(target(server, { _tag: "password", password: Redacted.make(server.password!) }))
      const [child] = sshChildren()
      expect(fs.statSync(child!.dir).mode & 0o777).toBe(0o700)
      expect(fs.statSync(path.join(child!.dir, "secret")).mode & 0o777).toBe(0o600)
      expect(fs.statSync(path.join(child!.dir, "pinned")).mode & 0o777).toBe(0o600)
    }))
})
