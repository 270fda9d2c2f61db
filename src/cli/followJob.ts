import { Data, Effect, Schedule } from "effect"
import type { Job, JobStatus } from "../shared/contract/Jobs.js"
import type { HubApiClient } from "./HubClient.js"
import type { ProgressReporter } from "./ProgressLine.js"

/** A followed job ended without success (failed or cancelled): exit 1 with the job's own reason. */
export class JobFailed extends Data.TaggedError("JobFailed")<{ readonly message: string; readonly jobId: string }> {}

export const isFinished = (status: JobStatus) => status === "succeeded" || status === "failed" || status === "cancelled"

/** The job once it has succeeded; JobFailed naming the job and its error otherwise. */
export const succeededOrFail = (job: Job): Effect.Effect<Job, JobFailed> => {
  const reason = job.error === null ? "" : `: ${job.error}`
  switch (job.status) {
    case "failed":
      return Effect.fail(new JobFailed({ jobId: job.id, message: `${job.type} job ${job.id} failed${reason || ": no reason given"}` }))
    case "cancelled":
      return Effect.fail(new JobFailed({ jobId: job.id, message: `${job.type} job ${job.id} was cancelled${reason}` }))
    default:
      return Effect.succeed(job)
  }
}

const POLL_INTERVAL = "500 millis"
/** A Hub restart or a dropped connection while we wait is not the job failing: keep asking for a while. */
const hubHiccup = Schedule.spaced("1 second").pipe(Schedule.upTo("30 seconds"))

/**
 * Polls the job until it ends, showing progress and retries on the reporter. Succeeds with the
 * finished job, fails with JobFailed. Interrupting stops the waiting, never the job.
 */
export const followJob = (hub: HubApiClient, first: Job, reporter: ProgressReporter) =>
  Effect.gen(function*() {
    let job = first
    while (!isFinished(job.status)) {
      reporter.update(job)
      yield* Effect.sleep(POLL_INTERVAL)
      job = yield* hub.jobs.get({ path: { id: job.id } }).pipe(
        Effect.retry({ schedule: hubHiccup, while: (e) => e._tag === "RequestError" })
      )
    }
    return job
  }).pipe(
    Effect.ensuring(Effect.sync(() => reporter.end())),
    Effect.onInterrupt(() =>
      Effect.sync(() => reporter.note(`stopped waiting; job ${first.id} goes on (xvault job wait ${first.id})`))
    ),
    Effect.flatMap(succeededOrFail)
  )
