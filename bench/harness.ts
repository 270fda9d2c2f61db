/**
 * What bench/backup.ts and bench/restore.ts share: the real services (Hub, worker, sshd serving
 * the generated data set, a tenant and its sources), the Hub API and the /proc readings of a
 * process.
 */
import { execSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Exit, Redacted, Scope } from "effect"
import { mint } from "../src/shared/auth/Jwt.js"
import { testJwtSecret } from "../test/support/env.js"
import { freePort, type HubProcess, startHub } from "../test/support/HubProcess.js"
import { type SshdServer, startSshd } from "../test/support/Sshd.js"
import { startWorkerWith, tempStorage, workerEnv, type WorkerProcess } from "../test/support/WorkerProcess.js"
import { type BenchArgs, parseBenchArgs, type BenchDefaults } from "./benchArgs.js"
import { buildDataset, type DatasetSize } from "./dataset.js"

export const MiB = 1024 * 1024

/** This bench's command line (see bench/benchArgs.ts); a bad flag ends the run with its message. */
export const benchArgs = (defaults: BenchDefaults, options: { readonly concurrency: boolean }): BenchArgs => {
  try {
    return parseBenchArgs(process.argv.slice(2), process.env, defaults, options)
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e))
    process.exit(2)
  }
}

export const describeSize = (size: DatasetSize) =>
  `${size.randomMiB} MiB random, ${size.textMiB} MiB text, ${size.smallFiles} small files of ${size.smallBytes.min}-${size.smallBytes.max - 1} bytes`

/** The machine, for the figures' context: others may be using its cores. */
export const machineLine = () =>
  `${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min)`

/** User + system CPU seconds a process has used so far. */
export const cpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

export const procStatusMiB = (pid: number, field: "VmHWM" | "VmRSS") => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024
}

const IDLE_AFTER_MS = 3000

export const adminToken = mint(Redacted.make(testJwtSecret), { role: "admin", ttlSeconds: 3600 })

/** A job as GET /v1/jobs/{id} shows it, what the benches read of it. */
export interface JobJson {
  readonly id: string
  readonly status: string
  readonly error: string | null
  readonly result: Record<string, unknown> | null
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
}

/** The job's own span: its last attempt's start to its end, on the Hub's clock (epoch ms). */
export const jobSpan = (job: JobJson) => ({ startedAt: Date.parse(job.startedAt ?? job.createdAt), finishedAt: Date.parse(job.finishedAt!) })
export const jobMs = (job: JobJson) => {
  const span = jobSpan(job)
  return span.finishedAt - span.startedAt
}

export interface BackupRun {
  /** Enqueue → `succeeded` as polled every 50 ms: what an operator waits. */
  readonly operatorMs: number
  readonly jobMs: number
  /** The job's start and end on the Hub's clock, epoch ms. */
  readonly startedAt: number
  readonly finishedAt: number
  readonly snapshotId: string
  readonly sizeBytes: number
  readonly fileCount: number
}

export interface Bench {
  readonly hub: HubProcess
  readonly sshd: SshdServer
  readonly worker: WorkerProcess
  /** The worker's VmRSS once settled after start, before any job (MiB). */
  readonly idleRssMiB: number
  /** The worker's /metrics port when it was started with one (--sample-memory). */
  readonly metricsPort: number | undefined
  /** The backed-up directory, served by the sshd. */
  readonly data: string
  readonly totalBytes: number
  /** A scratch directory of this run, removed by close. */
  readonly work: string
  readonly tenant: { readonly id: string; readonly publicKey: string }
  /** Sources of the tenant, all over `data`. */
  readonly sources: ReadonlyArray<{ readonly id: string }>
  /** `ssh … user@host` with the sshd's client key, for the reference pipelines. */
  readonly ssh: string
  readonly call: <A>(method: string, url: string, body?: unknown) => Promise<A>
  /** Enqueues a backup of `sources[index]` and waits for it. */
  readonly backup: (index?: number) => Promise<BackupRun>
  readonly close: () => Promise<void>
}

export interface BenchOptions {
  /** WORKER_CONCURRENCY, and how many sources (all over the same data) to make. */
  readonly concurrency?: number
  readonly sampleMemory?: boolean
}

/** What the worker gets from the bench's own environment: every WORKER_* but those naming the worker. */
const passedThrough = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] =>
      e[0].startsWith("WORKER_") && !["WORKER_ID", "WORKER_TOKEN", "WORKER_STORAGE_BASE"].includes(e[0]) && e[1] !== undefined)
  )

/**
 * Starts a Hub (fresh database, real Redis) and an sshd in parallel, writes the data set under
 * the sshd's root, creates a tenant and its sources, starts `xvault worker run` and warms the
 * page cache with the data set.
 */
export const startBench = async (size: DatasetSize, options: BenchOptions = {}): Promise<Bench> => {
  const concurrency = options.concurrency ?? 1
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
    const sources: Array<{ id: string }> = []
    for (let i = 0; i < concurrency; i++) {
      sources.push(await call<{ id: string }>("POST", `/v1/tenants/${tenant.id}/sources`, {
        name: i === 0 ? "bench" : `bench-${i + 1}`,
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        credentials: { _tag: "privateKey", privateKey: sshd.privateKey },
        paths: [data],
        hostKey: sshd.hostKeyFingerprint
      }))
    }
    const storage = await inScope(tempStorage)
    const metricsPort = options.sampleMemory === true ? await freePort() : undefined
    const own = { WORKER_CONCURRENCY: String(concurrency), ...(metricsPort === undefined ? {} : { WORKER_METRICS_PORT: String(metricsPort), WORKER_METRICS_HOST: "127.0.0.1" }) }
    const worker = await inScope(startWorkerWith(workerEnv(hub, "bench", storage, { ...passedThrough(process.env), ...own })))
    const readyAt = performance.now()
    // warm the page cache so neither run pays for the first read from disk
    execSync(`tar cf - -C "${data}" . > /dev/null`)
    // just after start the worker is still some 30 MiB above where it settles (within a second)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, readyAt + IDLE_AFTER_MS - performance.now())))
    const idleRssMiB = procStatusMiB(worker.pid, "VmRSS")

    const backup = async (index = 0): Promise<BackupRun> => {
      const start = performance.now()
      const job = await call<{ id: string }>("POST", `/v1/sources/${sources[index]!.id}/backups`, {})
      for (;;) {
        const state = await call<JobJson>("GET", `/v1/jobs/${job.id}`)
        if (state.status === "failed") throw new Error(`the xvault backup failed: ${state.error}`)
        if (state.status === "succeeded") {
          const result = state.result as { snapshotId: string; sizeBytes: number; fileCount: number }
          return { operatorMs: performance.now() - start, jobMs: jobMs(state), ...jobSpan(state), ...result }
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const ssh = `ssh -p ${sshd.port} -i ${keyFile} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR ${sshd.username}@${sshd.host}`
    return { hub, sshd, worker, idleRssMiB, metricsPort, data, totalBytes, work, tenant, sources, ssh, call, backup, close }
  } catch (e) {
    await close()
    throw e
  }
}
