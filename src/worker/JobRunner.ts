import { Cause, Effect, Exit, Fiber, Option, Schema } from "effect"
import type { JobId } from "../shared/contract/Ids.js"
import type { JobProgress } from "../shared/contract/Jobs.js"
import type { JobClaim } from "../shared/contract/Workers.js"
import { QueueMessage } from "../shared/queue/Queues.js"
import { keepLease } from "./backup/LeaseKeeper.js"
import { HubReporter } from "./HubReporter.js"
import type { JobWork } from "./JobWork.js"
import { ArtifactStore } from "./storage/ArtifactStore.js"
import { WorkerIdConfig, ZstdLevel } from "./WorkerConfig.js"
import type { WorkerError } from "./WorkerError.js"

/** Why an attempt failed, in one sentence, and whether trying again could help. */
const describeFailure = (cause: Cause.Cause<WorkerError>, workerId: string): { error: string; retryable: boolean } =>
  Option.match(Cause.failureOption(cause), {
    // every worker error says whether a retry can help
    onSome: (e) => ({ error: e.message, retryable: e.retryable }),
    // a defect: a bug, worth one more attempt (perhaps on another worker)
    onNone: () => ({ error: `internal error in worker ${workerId}: ${Cause.squash(cause)}`, retryable: true })
  })

/** Takes one queue message: claim the job, run it under its lease, report how it ended. */
export class JobRunner extends Effect.Service<JobRunner>()("worker/JobRunner", {
  effect: Effect.gen(function*() {
    const hub = yield* HubReporter
    const workerId = yield* WorkerIdConfig
    const store = yield* ArtifactStore
    const zstdLevel = yield* ZstdLevel
    // attempts running in this process, by job: a newer claim of the same job supersedes the older
    const running = new Map<string, Fiber.RuntimeFiber<void, never>>()

    const attempt = (claim: JobClaim) =>
      Effect.gen(function*() {
        const leaseId = claim.lease.id
        const counters: { -readonly [K in keyof JobProgress]: JobProgress[K] } = { files: 0, dirs: 0, symlinks: 0, bytesRead: 0, bytesWritten: 0 }
        const leaseSeconds = Math.max(1, (claim.lease.expiresAt.epochMillis - Date.now()) / 1000)
        // the job code (sftp, ssh2, zstd, age, tar) is loaded by the first job, not at start: idle RSS
        const { workFor } = yield* Effect.promise(() => import("./JobWork.js"))
        const work: JobWork = workFor(claim, {
          zstdLevel,
          counters,
          recordHostKey: (fingerprint) => hub.hostKey(claim.jobId, leaseId, fingerprint)
        })
        const keeper = keepLease({ counters, leaseSeconds, report: (p) => hub.progress(claim.jobId, leaseId, p) })
        const exit = yield* Effect.exit(Effect.raceFirst(Effect.provideService(work.run, ArtifactStore, store), keeper)).pipe(
          // shutting down: the work has already cleaned up; tell the Hub so a retry need not wait for the lease
          Effect.onInterrupt(() =>
            hub.fail(claim.jobId, leaseId, `worker ${workerId} stopped during attempt ${claim.attempt}`, true).pipe(
              Effect.timeout("5 seconds"),
              Effect.ignore
            )
          )
        )
        if (Exit.isSuccess(exit)) {
          const done = yield* Effect.exit(hub.complete(claim.jobId, { ...exit.value, leaseId }))
          if (Exit.isFailure(done)) {
            // the Hub did not record it, so it did not happen: leave nothing behind
            yield* Effect.provideService(work.discard, ArtifactStore, store)
            yield* Effect.logWarning(`job ${claim.jobId}: completed but not recorded: ${Cause.pretty(done.cause)}`)
          } else {
            yield* Effect.logInfo(`job ${claim.jobId}: ${claim.type} done`)
          }
          return
        }
        const failure = Cause.failureOption(exit.cause)
        if (Option.isSome(failure) && failure.value._tag === "LeaseLost") {
          return yield* Effect.logWarning(`job ${claim.jobId}: abandoned: ${failure.value.message}`)
        }
        const { error, retryable } = describeFailure(exit.cause, workerId)
        yield* Effect.logWarning(`job ${claim.jobId} attempt ${claim.attempt} failed: ${error}`)
        yield* hub.fail(claim.jobId, leaseId, error, retryable).pipe(
          Effect.catchAll((e) => Effect.logWarning(`job ${claim.jobId}: could not report the failure: ${e.message}`))
        )
      }).pipe(Effect.annotateLogs({ jobId: claim.jobId, jobType: claim.type, attempt: claim.attempt }))

    const runJob = (jobId: JobId) =>
      Effect.gen(function*() {
        const claimed = yield* Effect.either(hub.claim(jobId))
        if (claimed._tag === "Left") {
          return yield* Effect.logInfo(`job ${jobId}: not taken: ${claimed.left.message}`)
        }
        const previous = running.get(jobId)
        if (previous) yield* Fiber.interrupt(previous)
        const fiber = yield* Effect.fork(attempt(claimed.right))
        running.set(jobId, fiber)
        yield* Fiber.join(fiber).pipe(Effect.ensuring(Effect.sync(() => running.get(jobId) === fiber && running.delete(jobId))))
      })

    /** BullMQ hands us the raw message; anything that is not ours is dropped with a log line. */
    const handle = (data: unknown) =>
      Schema.decodeUnknown(QueueMessage)(data).pipe(
        Effect.matchEffect({
          onFailure: () => Effect.logWarning("dropping a queue message that is not an xVault job"),
          onSuccess: (message) => runJob(message.jobId)
        })
      )

    return { handle } as const
  })
}) {}
