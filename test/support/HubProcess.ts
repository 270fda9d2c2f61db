import { execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Data, Effect, type Scope } from "effect"
import pg from "pg"
import { freshDatabase } from "./Database.js"
import { redisUrl, testJwtSecret, testKekBase64 } from "./env.js"
import { isolatedQueuePrefix } from "./QueuePrefix.js"

/**
 * The real `xvault` executable as an operator runs it: child processes of `node bin/run.js`
 * (the compiled dist/ that globalSetup builds), with a clean environment and real services.
 *
 * Waits use node timers and fetch, never Effect.sleep: @effect/vitest may run layers and
 * tests on a TestClock, where Effect.sleep would never wake up.
 */

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const binRun = fileURLToPath(new URL("../../bin/run.js", import.meta.url))

const START_TIMEOUT_MS = 15_000
const STOP_GRACE_MS = 5_000
const BIND_ATTEMPTS = 3
const CLI_TIMEOUT_MS = 30_000

export class HubStartFailed extends Data.TaggedError("HubStartFailed")<{ readonly message: string }> {}

export interface HubProcess {
  readonly baseUrl: string
  readonly databaseUrl: string
  /** XVAULT_QUEUE_PREFIX of this Hub: its workers must use the same. */
  readonly queuePrefix: string
  readonly pid: number
  /** Everything the Hub wrote to stdout and stderr so far. */
  readonly log: () => string
  /** The exit status once the process has exited (null while running, or if killed by a signal). */
  readonly exitCode: () => number | null
  /** True once the process has exited and its output is complete. */
  readonly exited: () => boolean
}

/** Only what a user's shell would certainly have: nothing like XVAULT_TOKEN or HUB_* leaks in. */
const cleanEnv = (): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
  HOME: process.env["HOME"] ?? os.homedir()
})

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("cannot find a free port"))))
    })
  })

export interface Spawned {
  readonly pid: number
  readonly log: () => string
  readonly exitCode: () => number | null
  readonly closed: () => boolean
  /** SIGTERM, then SIGKILL after STOP_GRACE_MS; resolves once the process is gone. Idempotent. */
  readonly stop: () => Promise<void>
  /** Sends a signal now (SIGKILL: a crash) and resolves once the process is gone. */
  readonly kill: (signal: NodeJS.Signals) => Promise<void>
}

/** A long-running `xvault ...args` process (Hub, worker) with a clean environment plus `env`. */
export const spawnXvault = (xvaultArgs: ReadonlyArray<string>, env: Record<string, string>): Spawned => {
  // e.g. XVAULT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the processes a test or bench starts
  const nodeArgs = process.env["XVAULT_NODE_ARGS"]?.split(" ").filter((a) => a !== "") ?? []
  return spawnProcess(process.execPath, [...nodeArgs, binRun, ...xvaultArgs], { ...cleanEnv(), ...env })
}

/** A long-running process with exactly `env`, its output collected, stopped (never left behind) on demand. */
export const spawnProcess = (command: string, args: ReadonlyArray<string>, env: Record<string, string>, cwd = repoRoot): Spawned => {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  let code: number | null = null
  let isClosed = false
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
  // Never leave a Hub behind, even if the test runner dies before the scope closes.
  const killOnExit = () => child.kill("SIGKILL")
  process.once("exit", killOnExit)
  const closed = new Promise<void>((resolve) => {
    const done = () => {
      isClosed = true
      process.off("exit", killOnExit)
      resolve()
    }
    child.once("exit", (c) => (code = c))
    child.once("close", done)
    child.once("error", (e) => {
      output += `\n[spawn error] ${e.message}\n`
      done()
    })
  })
  let stopping: Promise<void> | undefined
  const stop = async () => {
    if (isClosed) return
    child.kill("SIGTERM")
    const graceful = await Promise.race([closed.then(() => true), delay(STOP_GRACE_MS).then(() => false)])
    if (!graceful) {
      child.kill("SIGKILL")
      await closed
    }
  }
  return {
    pid: child.pid ?? -1,
    log: () => output,
    exitCode: () => code,
    closed: () => isClosed,
    stop: () => (stopping ??= stop()),
    kill: (signal) => {
      if (!isClosed) child.kill(signal)
      return closed
    }
  }
}

const spawnHub = (port: number, env: Record<string, string>, extraArgs: ReadonlyArray<string>): Spawned =>
  spawnXvault(["hub", "serve", "--port", String(port), "--host", "127.0.0.1", ...extraArgs], env)

type Startup = "ready" | "port-in-use" | { readonly failed: string }

const waitUntilReady = async (hub: Spawned, baseUrl: string, port: number): Promise<Startup> => {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (hub.closed()) {
      return /EADDRINUSE/.test(hub.log())
        ? "port-in-use"
        : { failed: `the Hub exited with ${hub.exitCode()} during startup:\n${hub.log()}` }
    }
    // The log line proves it is our Hub on the port, not another test's process that grabbed it.
    if (hub.log().includes(`Listening on http://127.0.0.1:${port}`)) {
      try {
        const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) })
        await response.arrayBuffer()
        if (response.ok) return "ready"
      } catch {
        // not yet
      }
    }
    await delay(100)
  }
  return { failed: `GET /healthz did not answer within ${START_TIMEOUT_MS} ms:\n${hub.log()}` }
}

/**
 * The real Hub (`xvault hub serve`) as a child process, on a fresh migrated database (or an
 * empty one it migrates itself, with `{ migrate: true }`), the
 * real Redis and the test secrets. Ready when GET /healthz answers; stopped with SIGTERM
 * (SIGKILL after 5 s) and its database dropped when the scope closes.
 */
export const startHub = (
  options: {
    readonly migrate?: boolean
    readonly env?: Record<string, string>
    /** Another Hub of the same installation: same database and queues (several Hubs at once). */
    readonly alongside?: HubProcess
  } = {}
): Effect.Effect<HubProcess, HubStartFailed, Scope.Scope> =>
  Effect.gen(function*() {
    // with --migrate the Hub starts on an empty database and must build the schema itself
    const db = options.alongside
      ? { url: options.alongside.databaseUrl, queuePrefix: options.alongside.queuePrefix }
      : yield* Effect.flatMap(freshDatabase({ migrated: !options.migrate }), (fresh) =>
        Effect.map(isolatedQueuePrefix(fresh.name), (queuePrefix) => ({ url: fresh.url, queuePrefix })))
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      HUB_JWT_SECRET: testJwtSecret,
      HUB_ENCRYPTION_KEK: testKekBase64,
      XVAULT_QUEUE_PREFIX: db.queuePrefix,
      ...options.env
    }
    for (let i = 0; i < BIND_ATTEMPTS; i++) {
      const port = yield* Effect.tryPromise({
        try: freePort,
        catch: (e) => new HubStartFailed({ message: `cannot find a free port: ${String(e)}` })
      })
      const baseUrl = `http://127.0.0.1:${port}`
      const hub = yield* Effect.acquireRelease(
        Effect.sync(() => spawnHub(port, env, options.migrate ? ["--migrate"] : [])),
        (h) => Effect.promise(() => h.stop())
      )
      const outcome = yield* Effect.promise(() => waitUntilReady(hub, baseUrl, port))
      if (outcome === "ready") {
        return {
          baseUrl,
          databaseUrl: db.url,
          queuePrefix: env.XVAULT_QUEUE_PREFIX,
          pid: hub.pid,
          log: hub.log,
          exitCode: hub.exitCode,
          exited: hub.closed
        } satisfies HubProcess
      }
      yield* Effect.promise(() => hub.stop())
      if (outcome !== "port-in-use") return yield* new HubStartFailed({ message: outcome.failed })
    }
    return yield* new HubStartFailed({ message: `the Hub could not bind a free port after ${BIND_ATTEMPTS} attempts` })
  })

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `xvault ...args` (node bin/run.js) with only PATH, HOME and the given variables,
 * feeds it stdin (or an immediately closed stdin) and resolves with its exit status.
 * A process killed by a signal reports 128 + the signal number, as a shell would.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  opts: { readonly env?: Record<string, string>; readonly stdin?: string } = {}
): Promise<CliResult> =>
  new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [binRun, ...args], {
      cwd: repoRoot,
      env: { ...cleanEnv(), ...opts.env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), CLI_TIMEOUT_MS)
    child.once("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once("close", (code, signal) => {
      clearTimeout(timer)
      const status = code ?? 128 + (signal === null ? 0 : os.constants.signals[signal])
      resolve({ code: status, stdout, stderr })
    })
    // A command that exits without reading stdin makes this write fail with EPIPE; its exit status tells.
    child.stdin.on("error", () => {})
    child.stdin.end(opts.stdin ?? "")
  })

const execFileAsync = promisify(execFile)

const majorOf = (version: string) => Number(/(\d+)(?:\.\d+)?/.exec(version)?.[1] ?? NaN)

/** A plain-SQL dump of a database by the real pg_dump, matching the server's major version. */
export const pgDump = async (databaseUrl: string): Promise<string> => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  let serverMajor: number
  try {
    const { rows } = await client.query<{ server_version_num: string }>("SHOW server_version_num")
    serverMajor = Math.floor(Number(rows[0]!.server_version_num) / 10_000)
  } finally {
    await client.end()
  }
  const local = await execFileAsync("pg_dump", ["--version"]).then(({ stdout }) => majorOf(stdout), () => NaN)
  const versioned = `/usr/lib/postgresql/${serverMajor}/bin/pg_dump`
  const bin = local === serverMajor || !fs.existsSync(versioned) ? "pg_dump" : versioned
  const { stdout } = await execFileAsync(bin, ["--no-owner", `--dbname=${databaseUrl}`], {
    maxBuffer: 256 * 1024 * 1024
  })
  return stdout
}
