import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Data, Effect, Redacted, type Scope } from "effect"
import { mint } from "../../src/shared/auth/Jwt.js"
import type { WorkerId } from "../../src/shared/contract/Ids.js"
import { redisUrl, testJwtSecret } from "./env.js"
import { type HubProcess, type Spawned, spawnXvault } from "./HubProcess.js"

const START_TIMEOUT_MS = 15_000

export class WorkerStartFailed extends Data.TaggedError("WorkerStartFailed")<{ readonly message: string }> {}

export interface WorkerProcess extends Spawned {
  readonly workerId: string
  readonly storage: string
  /** The environment it was started with, to start it again after a crash. */
  readonly env: Record<string, string>
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A fresh storage directory for a worker, removed with the scope. */
export const tempStorage = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "xvault-storage-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** The worker's environment, as an operator would set it for this Hub. */
export const workerEnv = (hub: HubProcess, workerId: string, storage: string, extra: Record<string, string> = {}) => ({
  WORKER_ID: workerId,
  WORKER_TOKEN: mint(Redacted.make(testJwtSecret), { role: "worker", workerId: workerId as WorkerId, ttlSeconds: 3600 }),
  HUB_BASE_URL: hub.baseUrl,
  REDIS_URL: redisUrl,
  WORKER_STORAGE_BASE: storage,
  XVAULT_QUEUE_PREFIX: hub.queuePrefix,
  ...extra
})

/**
 * The real `xvault worker run` process. Ready when it logs "ready" (after its first heartbeat);
 * stopped with SIGTERM when the scope closes.
 */
export const startWorkerWith = (env: Record<string, string>): Effect.Effect<WorkerProcess, WorkerStartFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const worker = yield* Effect.acquireRelease(Effect.sync(() => spawnXvault(["worker", "run"], env)), (w) =>
      Effect.promise(() => w.stop()))
    const ready = yield* Effect.promise(async () => {
      const deadline = Date.now() + START_TIMEOUT_MS
      while (Date.now() < deadline && !worker.closed()) {
        if (worker.log().includes(`worker ${env["WORKER_ID"]} ready`)) return true
        await delay(50)
      }
      return false
    })
    if (!ready) return yield* new WorkerStartFailed({ message: `the worker did not become ready:\n${worker.log()}` })
    return { ...worker, workerId: env["WORKER_ID"]!, storage: env["WORKER_STORAGE_BASE"]!, env }
  })

export const startWorker = (hub: HubProcess, options: { readonly workerId?: string; readonly env?: Record<string, string> } = {}) =>
  Effect.flatMap(tempStorage, (storage) => startWorkerWith(workerEnv(hub, options.workerId ?? "w1", storage, options.env)))
