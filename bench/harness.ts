/**
 * What bench/backup.ts and bench/restore.ts share: the command line, the real services (Hub,
 * worker, sshd serving the generated data set, a tenant and a source), the Hub API and the
 * /proc readings of a process.
 */
import { execSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { Effect, Exit, Redacted, Scope } from "effect"
import { mint } from "../src/shared/auth/Jwt.js"
import { testJwtSecret } from "../test/support/env.js"
import { type HubProcess, startHub } from "../test/support/HubProcess.js"
import { type SshdServer, startSshd } from "../test/support/Sshd.js"
import { startWorkerWith, tempStorage, workerEnv, type WorkerProcess } from "../test/support/WorkerProcess.js"
import { buildDataset, type DatasetSize } from "./dataset.js"

export const MiB = 1024 * 1024

export interface BenchArgs {
  readonly size: DatasetSize
  readonly rounds: number
}

/**
 * `--random-mib N --text-mib N --small-files N --rounds N`; each also from the environment
 * (XVAULT_BENCH_RANDOM_MIB, XVAULT_BENCH_TEXT_MIB, XVAULT_BENCH_SMALL_FILES, XVAULT_BENCH_ROUNDS),
 * a flag winning over its variable, the variable over the bench's default.
 */
export const benchArgs = (defaults: DatasetSize & { readonly rounds: number }): BenchArgs => {
  const fromEnv = (variable: string, fallback: number) => process.env[variable] ?? String(fallback)
  const { values } = parseArgs({
    options: {
      "random-mib": { type: "string", default: fromEnv("XVAULT_BENCH_RANDOM_MIB", defaults.randomMiB) },
      "text-mib": { type: "string", default: fromEnv("XVAULT_BENCH_TEXT_MIB", defaults.textMiB) },
      "small-files": { type: "string", default: fromEnv("XVAULT_BENCH_SMALL_FILES", defaults.smallFiles) },
      rounds: { type: "string", default: fromEnv("XVAULT_BENCH_ROUNDS", defaults.rounds) }
    }
  })
  const number = (name: keyof typeof values) => {
    const n = Number(values[name])
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not ${String(values[name])}`)
    return n
  }
  const rounds = number("rounds")
  if (rounds < 1) throw new Error("--rounds must be at least 1")
  return {
    size: { randomMiB: number("random-mib"), textMiB: number("text-mib"), smallFiles: number("small-files") },
    rounds
  }
}

export const describeSize = (size: DatasetSize) =>
  `${size.randomMiB} MiB random, ${size.textMiB} MiB text, ${size.smallFiles} small files`

export const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** User + system CPU seconds a process has used so far. */
export const cpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

export const procStatusMiB = (pid: number, field: "VmHWM" | "VmRSS") => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024
}

export const adminToken = mint(Redacted.make(testJwtSecret), { role: "admin", ttlSeconds: 3600 })

export interface Bench {
  readonly hub: HubProcess
  readonly sshd: SshdServer
  readonly worker: WorkerProcess
  /** The backed-up directory, served by the sshd. */
  readonly data: string
  readonly totalBytes: number
  /** A scratch directory of this run, removed by close. */
  readonly work: string
  readonly tenant: { readonly id: string; readonly publicKey: string }
  readonly source: { readonly id: string }
  /** `ssh … user@host` with the sshd's client key, for the reference pipelines. */
  readonly ssh: string
  readonly call: <A>(method: string, url: string, body?: unknown) => Promise<A>
  /** Enqueues a backup of the source and waits for it: wall time and the job's result. */
  readonly backup: () => Promise<{ readonly ms: number; readonly snapshotId: string; readonly sizeBytes: number }>
  readonly close: () => Promise<void>
}

/**
 * Starts a Hub (fresh database, real Redis) and an sshd in parallel, writes the data set under
 * the sshd's root, creates a tenant and a source for it, starts `xvault worker run`
 * (WORKER_CONCURRENCY=1) and warms the page cache with the data set.
 */
export const startBench = async (size: DatasetSize): Promise<Bench> => {
  const scope = Effect.runSync(Scope.make())
  const inScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(effect, scope))
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-bench-"))
  const close = async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    fs.rmSync(work, { recursive: true, force: true })
  }
  try {
    const [hub, sshd] = await Promise.all([inScope(startHub({ migrate: true })), inScope(startSshd())])
    const send = (method: string, url: string, body?: unknown) =>
      fetch(`${hub.baseUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
    const call = async <A>(method: string, url: string, body?: unknown): Promise<A> => {
      // The reference pipelines run with execSync, which blocks the event loop: a keep-alive
      // socket the Hub closed meanwhile (idle > 5 s) is reused before its close is seen, and
      // the request never reached the Hub. One fresh try is then safe, even for a POST.
      const response = await send(method, url, body).catch((e: { cause?: { code?: string } }) =>
        e.cause?.code === "UND_ERR_SOCKET" ? send(method, url, body) : Promise.reject(e)
      )
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`)
      return (await response.json()) as A
    }
    const data = path.join(sshd.root, "data")
    process.stderr.write(`building data set (${describeSize(size)})…\n`)
    const totalBytes = buildDataset(data, size)
    const keyFile = path.join(work, "client.key")
    fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })

    const tenant = await call<{ id: string; publicKey: string }>("POST", "/v1/tenants", { name: "bench" })
    const source = await call<{ id: string }>("POST", `/v1/tenants/${tenant.id}/sources`, {
      name: "bench",
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      credentials: { _tag: "privateKey", privateKey: sshd.privateKey },
      paths: [data],
      hostKey: sshd.hostKeyFingerprint
    })
    const storage = await inScope(tempStorage)
    // WORKER_SFTP_TRANSPORT=ssh2|openssh in the bench's environment picks the worker's transport
    const transport = process.env["WORKER_SFTP_TRANSPORT"]
    const worker = await inScope(startWorkerWith(workerEnv(hub, "bench", storage, {
      WORKER_CONCURRENCY: "1",
      ...(transport === undefined ? {} : { WORKER_SFTP_TRANSPORT: transport })
    })))
    // warm the page cache so neither run pays for the first read from disk
    execSync(`tar cf - -C "${data}" . > /dev/null`)

    const backup = async () => {
      const start = performance.now()
      const job = await call<{ id: string }>("POST", `/v1/sources/${source.id}/backups`, {})
      for (;;) {
        const state = await call<{
          status: string
          error: string | null
          result: { snapshotId: string; sizeBytes: number } | null
        }>("GET", `/v1/jobs/${job.id}`)
        if (state.status === "failed") throw new Error(`the xvault backup failed: ${state.error}`)
        if (state.status === "succeeded") {
          return { ms: performance.now() - start, snapshotId: state.result!.snapshotId, sizeBytes: state.result!.sizeBytes }
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const ssh = `ssh -p ${sshd.port} -i ${keyFile} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR ${sshd.username}@${sshd.host}`
    return { hub, sshd, worker, data, totalBytes, work, tenant, source, ssh, call, backup, close }
  } catch (e) {
    await close()
    throw e
  }
}
