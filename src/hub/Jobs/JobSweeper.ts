import { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer, Schedule } from "effect"
import { SweepIntervalSeconds } from "../HubConfig.js"
import { HubMetrics } from "../Metrics/HubMetrics.js"
import { Jobs } from "./Jobs.js"
import { jobColumns, type JobRow } from "./JobRow.js"

/** Queued jobs untouched this long are published again, in case their message was lost. */
const REPUBLISH_AFTER_SECONDS = 30

/**
 * The Hub's background duty, safe with several Hubs running (SKIP LOCKED): a running job
 * whose lease expired belonged to a worker that died or hung, so its attempt ends as a
 * transient failure (retried while attempts remain); a queued job whose message may be gone
 * (Redis restarted) is published again. Publishing twice is harmless: claims decide.
 */
export const sweepJobs = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const jobs = yield* Jobs
  const metrics = yield* HubMetrics
  const columns = sql.literal(jobColumns)

  const ended = yield* Effect.gen(function*() {
    const expired = yield* sql<JobRow>`
      SELECT ${columns} FROM jobs WHERE status = 'running' AND lease_expires_at < now()
      FOR UPDATE SKIP LOCKED`
    return yield* Effect.forEach(expired, (job) =>
      jobs.endAttempt(job, `worker ${job.worker_id ?? "?"} stopped reporting during attempt ${job.attempt} (its lease expired)`, true))
  }).pipe(sql.withTransaction)
  for (const end of ended) {
    yield* Effect.logWarning(`job ${end.row.id}: ${end.row.error} -> ${end.row.status}`)
    yield* jobs.publishRetry(end)
    if (end.row.status === "failed") yield* metrics.jobFinished(end.row, "failed")
  }

  const stale = yield* sql<JobRow>`
    UPDATE jobs SET updated_at = now()
    WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND available_at <= now()
                   AND updated_at < now() - make_interval(secs => ${REPUBLISH_AFTER_SECONDS})
                 FOR UPDATE SKIP LOCKED)
    RETURNING ${columns}`
  yield* Effect.forEach(stale, (row) => jobs.publishAfterCommit(row), { discard: true })
}).pipe(Effect.catchAllCause((cause) => Effect.logError("job sweep failed", cause)))

export const JobSweeperLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const interval = yield* SweepIntervalSeconds
    yield* Effect.forkScoped(sweepJobs.pipe(Effect.repeat(Schedule.spaced(Duration.seconds(interval)))))
  })
)
