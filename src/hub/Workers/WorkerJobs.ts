import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import { Conflict } from "../../shared/contract/ApiError.js"
import type { JobId, SnapshotId } from "../../shared/contract/Ids.js"
import type { BackupResult, JobProgress } from "../../shared/contract/Jobs.js"
import type { BackupCompletion } from "../../shared/contract/Workers.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { JobLeaseSeconds } from "../HubConfig.js"
import { jobNotFound, Jobs } from "../Jobs/Jobs.js"
import { jobColumns, type JobRow } from "../Jobs/JobRow.js"
import { BackupClaims } from "./BackupClaims.js"

/** Where a backup's artifact must be, relative to the worker's storage base. */
export const expectedLocator = (job: JobRow) =>
  `tenants/${job.tenant_id}/sources/${job.source_id}/snapshots/${job.snapshot_id}/backup.tar.zst.enc`

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
        return yield* claims.build(leased, { id: leaseId, expiresAt: leased.lease_expires_at })
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
        const [source] = yield* sql<{ host_key_fingerprint: string | null }>`
          SELECT host_key_fingerprint FROM sources WHERE id = ${job.source_id} FOR UPDATE`
        if (source?.host_key_fingerprint === fingerprint) return
        if (source?.host_key_fingerprint) {
          return yield* new Conflict({
            message: `host key mismatch: the Hub already knows ${source.host_key_fingerprint}, the worker saw ${fingerprint}`
          })
        }
        yield* sql`UPDATE sources SET host_key_fingerprint = ${fingerprint}, updated_at = now() WHERE id = ${job.source_id}`
        yield* audit.record({
          action: "source.host_key_recorded",
          resourceType: "source",
          resourceId: job.source_id!,
          tenantId: job.tenant_id,
          details: { fingerprint, jobId: id }
        })
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    /** The snapshot row and the job's success commit together, or neither does. */
    const complete = (id: JobId, workerId: string, report: BackupCompletion) =>
      Effect.gen(function*() {
        const job = yield* holdingLease(id, workerId, report.leaseId)
        if (report.locator !== expectedLocator(job)) {
          return yield* new Conflict({ message: `locator ${report.locator} is not where job ${id} must write (${expectedLocator(job)})` })
        }
        const result: BackupResult = {
          snapshotId: job.snapshot_id as SnapshotId,
          sizeBytes: report.sizeBytes,
          sha256: report.sha256,
          fileCount: report.fileCount,
          bytesIn: report.bytesIn,
          warnings: report.warnings
        }
        yield* sql`
          INSERT INTO snapshots (id, tenant_id, source_id, job_id, worker_id, storage_backend, locator, size_bytes,
                                 sha256, file_count, dir_count, symlink_count, bytes_in, age_header, manifest, tags)
          VALUES (${job.snapshot_id}, ${job.tenant_id}, ${job.source_id}, ${id}, ${workerId}, 'local_fs',
                  ${report.locator}, ${report.sizeBytes}, ${report.sha256}, ${report.fileCount}, ${report.dirCount},
                  ${report.symlinkCount}, ${report.bytesIn}, ${report.ageHeader},
                  ${JSON.stringify(report.manifest)}::jsonb,
                  ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(job.params.tags ?? [])}::jsonb)))`
        yield* sql`
          UPDATE jobs SET status = 'succeeded', result = ${JSON.stringify(result)}::jsonb, error = NULL,
                 lease_id = NULL, lease_expires_at = NULL, finished_at = now(), updated_at = now()
          WHERE id = ${id}`
        yield* audit.record({
          action: "snapshot.create",
          resourceType: "snapshot",
          resourceId: job.snapshot_id!,
          tenantId: job.tenant_id,
          details: { jobId: id, sourceId: job.source_id, workerId, sizeBytes: report.sizeBytes }
        })
        return { snapshotId: job.snapshot_id as SnapshotId }
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    const fail = (id: JobId, workerId: string, report: { readonly leaseId: string; readonly error: string; readonly retryable: boolean }) =>
      Effect.flatMap(holdingLease(id, workerId, report.leaseId), (job) => jobs.endAttempt(job, report.error, report.retryable)).pipe(
        sql.withTransaction,
        Effect.catchTag("SqlError", Effect.die),
        Effect.tap(jobs.publishRetry),
        Effect.map(({ row }) => ({ status: row.status === "queued" ? "queued" as const : "failed" as const }))
      )

    return { heartbeat, claim, progress, recordHostKey, complete, fail } as const
  })
}) {}
