import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Schema } from "effect"
import { Conflict } from "../../shared/contract/ApiError.js"
import type { JobId, SourceId } from "../../shared/contract/Ids.js"
import { JobResult, type JobProgress } from "../../shared/contract/Jobs.js"
import { HostKeyMismatch, type JobCompletion } from "../../shared/contract/Workers.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { JobLeaseSeconds } from "../HubConfig.js"
import { Retention } from "../Retention/Retention.js"
import { jobNotFound, Jobs } from "../Jobs/Jobs.js"
import { jobColumns, type JobRow } from "../Jobs/JobRow.js"
import { HubMetrics } from "../Metrics/HubMetrics.js"
import { BackupClaims } from "./BackupClaims.js"
import { Completions } from "./Completions.js"
import { SnapshotClaims } from "./SnapshotClaims.js"

/**
 * The worker's side of a job: claim it for a lease, then report under that lease. Any report
 * whose lease is no longer the job's current one is refused, so a worker that was presumed
 * dead can never overwrite what a retry did.
 */
export class WorkerJobs extends Effect.Service<WorkerJobs>()("hub/WorkerJobs", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const audit = yield* AuditLog
    const jobs = yield* Jobs
    const claims = yield* BackupClaims
    const snapshotClaims = yield* SnapshotClaims
    const completions = yield* Completions
    const retention = yield* Retention
    const metrics = yield* HubMetrics
    const leaseSeconds = yield* JobLeaseSeconds
    const columns = sql.literal(jobColumns)

    const heartbeat = (workerId: string, beat: { readonly version: string; readonly freeBytes: number }) =>
      sql`INSERT INTO workers (id, version, free_bytes) VALUES (${workerId}, ${beat.version}, ${beat.freeBytes})
          ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, free_bytes = EXCLUDED.free_bytes,
                                         last_seen_at = now()`.pipe(Effect.orDie, Effect.asVoid)

    const lockJob = (id: JobId) =>
      Effect.flatMap(sql<JobRow>`SELECT ${columns} FROM jobs WHERE id = ${id} FOR UPDATE`, (rows) =>
        rows[0] ? Effect.succeed(rows[0]) : Effect.fail(jobNotFound(id)))

    const claim = (id: JobId, workerId: string) =>
      Effect.gen(function*() {
        yield* sql`INSERT INTO workers (id) VALUES (${workerId}) ON CONFLICT (id) DO UPDATE SET last_seen_at = now()`
        const job = yield* lockJob(id)
        if (job.target_worker_id !== null && job.target_worker_id !== workerId) {
          return yield* new Conflict({ message: `job ${id} must run on worker ${job.target_worker_id}` })
        }
        if (job.status !== "queued") {
          return yield* new Conflict({ message: `job ${id} is ${job.status}${job.worker_id ? ` (worker ${job.worker_id})` : ""}` })
        }
        const leaseId = randomUUID()
        const [leased] = yield* sql<JobRow & { lease_expires_at: Date }>`
          UPDATE jobs SET status = 'running', attempt = attempt + 1, worker_id = ${workerId}, lease_id = ${leaseId},
                 lease_expires_at = now() + make_interval(secs => ${leaseSeconds}), progress = NULL,
                 started_at = coalesce(started_at, now()), updated_at = now()
          WHERE id = ${id} AND available_at <= now()
          RETURNING ${columns}, lease_expires_at`
        if (!leased) return yield* new Conflict({ message: `job ${id} is waiting out its retry backoff` })
        const lease = { id: leaseId, expiresAt: leased.lease_expires_at }
        return leased.type === "backup" ? yield* claims.build(leased, lease) : yield* snapshotClaims.build(leased, lease)
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    /** The job, locked, if `leaseId` is still its current lease; 409 otherwise. */
    const holdingLease = (id: JobId, workerId: string, leaseId: string) =>
      Effect.flatMap(lockJob(id), (job) =>
        job.status === "running" && job.lease_id === leaseId && job.worker_id === workerId
          ? Effect.succeed(job)
          : Effect.fail(
            new Conflict({
              message: `lease ${leaseId} on job ${id} is no longer current (the job is ${job.status}` +
                `${job.status === "running" ? ` under another lease, attempt ${job.attempt}` : ""})`
            })
          ))

    const progress = (id: JobId, workerId: string, leaseId: string, counters: JobProgress) =>
      Effect.gen(function*() {
        yield* holdingLease(id, workerId, leaseId)
        const [row] = yield* sql<{ lease_expires_at: Date }>`
          UPDATE jobs SET progress = ${JSON.stringify(counters)}::jsonb, updated_at = now(),
                 lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
          WHERE id = ${id} RETURNING lease_expires_at`
        return { leaseExpiresAt: DateTime.unsafeFromDate(row!.lease_expires_at) }
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    /** Trust on first use: records the fingerprint only if none is known yet. */
    const recordHostKey = (id: JobId, workerId: string, leaseId: string, fingerprint: string) =>
      Effect.gen(function*() {
        const job = yield* holdingLease(id, workerId, leaseId)
        // a restore over SFTP may write to another source than the snapshot's
        const sourceId = job.type === "restore" ? job.params.targetSourceId ?? job.source_id : job.source_id
        const [source] = yield* sql<{ host_key_fingerprint: string | null }>`
          SELECT host_key_fingerprint FROM sources WHERE id = ${sourceId} FOR UPDATE`
        if (source?.host_key_fingerprint === fingerprint) return
        if (source?.host_key_fingerprint) {
          return yield* new HostKeyMismatch({
            message: `host key mismatch: the Hub already knows ${source.host_key_fingerprint}, the worker saw ${fingerprint}`
          })
        }
        yield* sql`UPDATE sources SET host_key_fingerprint = ${fingerprint}, updated_at = now() WHERE id = ${sourceId}`
        yield* audit.record({
          action: "source.host_key_recorded",
          resourceType: "source",
          resourceId: sourceId!,
          tenantId: job.tenant_id,
          details: { fingerprint, jobId: id }
        })
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    /** After a backup, the source's keep policy runs; a failure there never undoes the backup. */
    const afterSuccess = (job: JobRow) =>
      job.type === "backup"
        ? retention.apply(job.source_id as SourceId, `retention after backup job ${job.id}`).pipe(
          Effect.tap((plan) =>
            plan.deleteJobs.length > 0
              ? Effect.logInfo(`source ${job.source_id}: retention removes ${plan.deleteJobs.length} snapshot(s)`)
              : Effect.void
          ),
          Effect.catchAllCause((cause) => Effect.logError(`source ${job.source_id}: retention after backup failed`, cause))
        )
        : Effect.void

    /** What the job did (a snapshot row, a deletion, a verdict) and its success commit together, or neither does. */
    const complete = (id: JobId, workerId: string, report: JobCompletion) =>
      Effect.gen(function*() {
        const job = yield* holdingLease(id, workerId, report.leaseId)
        const result = yield* completions.record(job, workerId, report)
        yield* sql`
          UPDATE jobs SET status = 'succeeded', result = ${JSON.stringify(Schema.encodeSync(JobResult)(result))}::jsonb,
                 error = NULL, lease_id = NULL, lease_expires_at = NULL, finished_at = now(), updated_at = now()
          WHERE id = ${id}`
        return { job, status: "succeeded" as const }
      }).pipe(
        sql.withTransaction,
        Effect.catchTag("SqlError", Effect.die),
        Effect.tap(({ job }) => metrics.jobFinished(job, "succeeded", report)),
        Effect.tap(({ job }) => afterSuccess(job)),
        Effect.map(({ status }) => ({ status }))
      )

    const fail = (id: JobId, workerId: string, report: { readonly leaseId: string; readonly error: string; readonly retryable: boolean }) =>
      Effect.flatMap(holdingLease(id, workerId, report.leaseId), (job) => jobs.endAttempt(job, report.error, report.retryable)).pipe(
        sql.withTransaction,
        Effect.catchTag("SqlError", Effect.die),
        Effect.tap(jobs.publishRetry),
        Effect.tap(({ row }) => (row.status === "failed" ? metrics.jobFinished(row, "failed") : Effect.void)),
        Effect.map(({ row }) => ({ status: row.status === "queued" ? "queued" as const : "failed" as const }))
      )

    return { heartbeat, claim, progress, recordHostKey, complete, fail } as const
  })
}) {}
