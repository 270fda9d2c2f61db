import { Worker } from "bullmq"
import { Data, Duration, Effect, FiberSet, Layer, Schedule } from "effect"
import { BACKUP_QUEUE, QueuePrefix, workerQueue } from "../shared/queue/Queues.js"
import { Redis } from "../shared/queue/Redis.js"
import { XVAULT_VERSION } from "../shared/Version.js"
import { HubReporter } from "./HubReporter.js"
import { JobRunner } from "./JobRunner.js"
import { WorkerMetrics } from "./metrics/WorkerMetrics.js"
import { WorkerMetricsServerLive } from "./metrics/WorkerMetricsServerLive.js"
import { reconcileEvery } from "./reconcile/reconcile.js"
import { ArtifactStore } from "./storage/ArtifactStore.js"
import { SftpTransport, SftpTransportLive } from "./sftp/SftpTransport.js"
import { ArtifactStoreLive } from "./storage/ArtifactStoreLive.js"
import { WorkerConcurrency, WorkerIdConfig } from "./WorkerConfig.js"

const HEARTBEAT_EVERY = Duration.seconds(15)

/** WORKER_TOKEN was issued for another worker id: jobs would be recorded under the wrong volume. */
export class WorkerMisconfigured extends Data.TaggedError("WorkerMisconfigured")<{ readonly message: string }> {}

/**
 * The worker process: checks in with the Hub, cleans what a crash left on its volume, then
 * takes backups from the shared queue and its own queue's jobs, WORKER_CONCURRENCY at a time.
 * On shutdown running attempts are interrupted, clean up, and report so a retry can start.
 */
export const WorkerLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const workerId = yield* WorkerIdConfig
    const concurrency = yield* WorkerConcurrency
    const prefix = yield* QueuePrefix
    const hub = yield* HubReporter
    const runner = yield* JobRunner
    const redis = yield* Redis
    const store = yield* ArtifactStore
    const transport = yield* SftpTransport

    const beat = Effect.flatMap(store.freeBytes, (free) => hub.heartbeat({ version: XVAULT_VERSION, freeBytes: free }))
    const ack = yield* beat
    if (ack.workerId !== workerId) {
      return yield* new WorkerMisconfigured({
        message: `WORKER_TOKEN was issued for worker '${ack.workerId}', but WORKER_ID is '${workerId}'`
      })
    }
    const swept = yield* store.sweepIncomplete
    const snapshots = swept.filter((unit) => unit.kind === "snapshots").length
    if (snapshots > 0) yield* Effect.logWarning(`removed ${snapshots} incomplete snapshot director(ies) left by a crash`)
    const restores = swept.length - snapshots
    if (restores > 0) yield* Effect.logWarning(`removed ${restores} incomplete restore director(ies) left by a crash`)
    yield* Effect.forkScoped(yield* reconcileEvery)
    yield* Effect.forkScoped(
      beat.pipe(
        Effect.catchAll((e) => Effect.logWarning(`heartbeat failed: ${e.message}`)),
        Effect.repeat(Schedule.spaced(HEARTBEAT_EVERY)),
        Effect.delay(HEARTBEAT_EVERY)
      )
    )

    // finalized after the queue consumers below: running attempts are interrupted, clean up and report
    const run = yield* FiberSet.makeRuntimePromise<never>()
    const consume = (queue: string, slots: number) =>
      Effect.acquireRelease(
        Effect.sync(() =>
          new Worker(queue, (job) => run(runner.handle(job.data)), { connection: redis.client, prefix, concurrency: slots })
        ),
        (worker) => Effect.promise(() => worker.close(true))
      ).pipe(Effect.tap((worker) => worker.on("error", (e) => Effect.runFork(Effect.logWarning(`queue ${queue}: ${e.message}`)))))
    yield* consume(BACKUP_QUEUE, concurrency)
    yield* consume(workerQueue(workerId), concurrency)
    yield* Effect.logInfo(`worker ${workerId} ready: storage ${store.describe}, sftp over ${transport}, ${concurrency} job(s) at a time`)
  })
).pipe(
  Layer.provide(JobRunner.Default),
  Layer.provide([HubReporter.Default, Redis.Default, WorkerMetrics.Default]),
  Layer.merge(WorkerMetricsServerLive),
  // one store for the jobs, the sweeps, the heartbeat and the metrics
  Layer.provide(ArtifactStoreLive),
  // jobs run in this layer's runtime, so they see the transport it read from WORKER_SFTP_TRANSPORT
  Layer.provide(SftpTransportLive)
)
