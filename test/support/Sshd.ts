import { execFile, spawn, type ChildProcess } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { Context, Data, Effect, Layer, type Scope } from "effect"

export interface SshdServer {
  readonly host: "127.0.0.1"
  readonly port: number
  readonly username: string
  readonly root: string
  readonly privateKey: string
  readonly publicKey: string
  readonly hostKeyFingerprint: string
  readonly password: string | undefined
  /** pid of the listening sshd, so tests can check it is really gone. */
  readonly pid: number
  readonly stop: Effect.Effect<void>
}

export class SshdStartFailed extends Data.TaggedError("SshdStartFailed")<{ readonly message: string }> {}

export class Sshd extends Context.Tag("test/Sshd")<Sshd, SshdServer>() {}

export const SshdLive = (options?: { readonly password?: boolean }) => Layer.scoped(Sshd, startSshd(options))

const SSHD = "/usr/sbin/sshd"
const START_TIMEOUT_MS = 10_000
const STOP_GRACE_MS = 3_000
const BIND_ATTEMPTS = 5

const fail = (message: string) => Effect.fail(new SshdStartFailed({ message }))

const attempt = <A>(what: string, f: () => A) =>
  Effect.try({ try: f, catch: (e) => new SshdStartFailed({ message: `${what}: ${String(e)}` }) })

// Waits use node timers, not Effect.sleep: @effect/vitest builds layers and `it.effect`
// tests under TestClock, where Effect.sleep would never wake up.
const sleepMs = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

const run = (command: string, args: ReadonlyArray<string>, input?: string) =>
  Effect.async<string, SshdStartFailed>((resume) => {
    const child = execFile(command, args, (error, stdout, stderr) => {
      if (error) {
        resume(fail(`${command} ${args.join(" ")} failed: ${String(stderr).trim() || error.message}`))
      } else {
        resume(Effect.succeed(String(stdout)))
      }
    })
    // A command that exits without reading stdin makes this write fail with EPIPE; its exit status tells.
    child.stdin?.on("error", () => {})
    child.stdin?.end(input ?? "")
  })

const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    attempt("cannot create temp dir", () => fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), prefix))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

const writeFile = (file: string, content: string, mode: number) =>
  attempt(`cannot write ${file}`, () => fs.writeFileSync(file, content, { mode }))

const readText = (file: string) => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return ""
  }
}

const freePort = Effect.async<number, SshdStartFailed>((resume) => {
  const server = net.createServer()
  server.once("error", (e) => resume(fail(`cannot find a free port: ${e.message}`)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(port > 0 ? Effect.succeed(port) : fail("cannot find a free port")))
  })
})

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

// Forked per-connection sshd processes call setsid(), so neither a process-group kill nor
// killing the listener ends live sessions; walk /proc to find them.
const procStat = (pid: number) => {
  const stat = readText(`/proc/${pid}/stat`)
  const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return stat === "" ? undefined : { state, ppid: Number(ppid) }
}

const parentOf = (pid: number) => procStat(pid)?.ppid

const isAlive = (pid: number) => {
  const state = procStat(pid)?.state
  return state !== undefined && state !== "Z"
}

const processTree = (rootPid: number): Array<number> => {
  const children = new Map<number, Array<number>>()
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    const ppid = parentOf(Number(entry))
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
  }
  const tree = [rootPid]
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []))
  return tree
}

const signal = (pids: ReadonlyArray<number>, sig: NodeJS.Signals) => {
  for (const pid of pids) {
    try {
      process.kill(pid, sig)
    } catch {
      // already gone
    }
  }
}

const waitUntil = async (done: () => boolean, ms: number) => {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
}

interface SshdProcess {
  readonly child: ChildProcess
  readonly exited: () => boolean
  readonly output: () => string
  readonly stop: Effect.Effect<void>
}

const spawnSshd = (configFile: string, logFile: string): SshdProcess => {
  const child = spawn(SSHD, ["-D", "-e", "-f", configFile, "-E", logFile], { stdio: ["ignore", "ignore", "pipe"] })
  let stderr = ""
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true
      resolve()
    })
    child.once("error", (e) => {
      stderr += `\n${e.message}`
      exited = true
      resolve()
    })
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-16_384)
  })
  let stopping: Promise<void> | undefined
  const doStop = async () => {
    if (exited || child.pid === undefined) return
    const sessions = processTree(child.pid).slice(1)
    // SIGKILL, because an internal-sftp session ignores SIGTERM.
    signal(sessions, "SIGKILL")
    signal([child.pid], "SIGTERM")
    await waitUntil(() => exited, STOP_GRACE_MS)
    signal([child.pid, ...sessions].filter(isAlive), "SIGKILL")
    await exit
  }
  return {
    child,
    exited: () => exited,
    output: () => `${readText(logFile)}\n${stderr}`.trim().split("\n").slice(-30).join("\n"),
    stop: Effect.promise(() => (stopping ??= doStop()))
  }
}

const waitUntilListening = (sshd: SshdProcess, port: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + START_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (sshd.exited()) {
        const output = sshd.output()
        if (/Address already in use|Cannot bind any address/.test(output)) return "port-in-use" as const
        return yield* fail(`sshd exited during startup:\n${output}`)
      }
      // The log line proves it is our sshd on the port, not some other process that grabbed it.
      const listening = sshd.output().includes(`Server listening on 127.0.0.1 port ${port}`)
      if (listening && (yield* Effect.promise(() => canConnect(port)))) return "ready" as const
      yield* sleepMs(50)
    }
    return yield* fail(`sshd did not accept connections within ${START_TIMEOUT_MS} ms:\n${sshd.output()}`)
  })

const throwawayUser = Effect.acquireRelease(
  Effect.gen(function*() {
    const username = `xv${randomBytes(8).toString("hex")}`
    const password = randomBytes(18).toString("base64url")
    yield* run("useradd", ["--create-home", "--shell", "/bin/sh", username])
    return { username, password }
  }),
  ({ username }) =>
    run("userdel", ["-r", username]).pipe(
      Effect.orElse(() => run("userdel", ["-r", "-f", username])),
      Effect.catchAll((e) => Effect.logWarning(`could not remove test user ${username}: ${e.message}`))
    )
)

const keygen = (file: string, comment: string) =>
  Effect.gen(function*() {
    yield* run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file])
    return yield* attempt(`cannot read ${file}`, () => ({
      privateKey: fs.readFileSync(file, "utf8"),
      publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim()
    }))
  })

export const startSshd = (
  options?: { readonly password?: boolean }
): Effect.Effect<SshdServer, SshdStartFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const isRoot = process.getuid?.() === 0
    if (options?.password === true && !isRoot) {
      return yield* fail("password auth needs root: sshd without PAM checks the system password database")
    }
    if (isRoot) {
      // Left in place on close: it is the system's standard dir and other sshds may be using it.
      yield* attempt("cannot create /run/sshd", () => fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }))
    }

    const dir = yield* tempDir("xvault-sshd-")
    const root = yield* tempDir("xvault-sftp-root-")
    const user = options?.password === true
      ? yield* throwawayUser
      : { username: os.userInfo().username, password: undefined }

    const hostKeyFile = path.join(dir, "ssh_host_ed25519_key")
    yield* keygen(hostKeyFile, "xvault-test-host")
    const client = yield* keygen(path.join(dir, "client_ed25519_key"), "xvault-test-client")
    const hostKeyFingerprint = (yield* run("ssh-keygen", ["-lf", `${hostKeyFile}.pub`])).split(" ")[1] ?? ""
    const authorizedKeys = path.join(dir, "authorized_keys")
    yield* writeFile(authorizedKeys, `${client.publicKey}\n`, 0o644)

    if (user.password !== undefined) {
      yield* run("chpasswd", [], `${user.username}:${user.password}\n`)
      yield* run("chown", ["-R", `${user.username}:`, root])
      // sshd reads AuthorizedKeysFile as the login user; the keys stay 0600.
      yield* attempt(`cannot chmod ${dir}`, () => fs.chmodSync(dir, 0o755))
    }

    const configFile = path.join(dir, "sshd_config")
    const logFile = path.join(dir, "sshd.log")
    for (let i = 0; i < BIND_ATTEMPTS; i++) {
      const port = yield* freePort
      const config = [
        "ListenAddress 127.0.0.1",
        `Port ${port}`,
        `HostKey ${hostKeyFile}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        "StrictModes no",
        "UsePAM no",
        "PubkeyAuthentication yes",
        `PasswordAuthentication ${user.password !== undefined ? "yes" : "no"}`,
        "KbdInteractiveAuthentication no",
        "Subsystem sftp internal-sftp",
        ...(isRoot ? ["PermitRootLogin yes"] : []),
        `AllowUsers ${user.username}`,
        "LogLevel VERBOSE",
        "MaxStartups 100",
        "MaxSessions 50"
      ]
      yield* writeFile(configFile, `${config.join("\n")}\n`, 0o644)
      yield* attempt(`cannot remove ${logFile}`, () => fs.rmSync(logFile, { force: true }))

      const sshd = yield* Effect.acquireRelease(Effect.sync(() => spawnSshd(configFile, logFile)), (p) => p.stop)
      const outcome = yield* waitUntilListening(sshd, port).pipe(Effect.tapError(() => sshd.stop))
      if (outcome === "ready") {
        return {
          host: "127.0.0.1",
          port,
          username: user.username,
          root,
          privateKey: client.privateKey,
          publicKey: client.publicKey,
          hostKeyFingerprint,
          password: user.password,
          pid: sshd.child.pid!,
          stop: sshd.stop
        } satisfies SshdServer
      }
    }
    return yield* fail(`sshd could not bind a free port after ${BIND_ATTEMPTS} attempts`)
  })
