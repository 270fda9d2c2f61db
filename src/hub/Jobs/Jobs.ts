import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { Conflict, NotFound } from "../../shared/contract/ApiError.js"
import type { JobId, SourceId } from "../../shared/contract/Ids.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { RetryBaseSeconds } from "../HubConfig.js"
import { Outbox } from "../Webhooks/Outbox.js"
import { retryDelaySeconds } from "./Backoff.js"
import { JobQueue } from "./JobQueue.js"
import { jobColumns, type JobParams, type JobRow, toJob } from "./JobRow.js"

export const jobNotFound = (id: string) => new NotFound({ message: `job ${id} not found` })

export class Jobs extends Effect.Service<Jobs>()("hub/Jobs", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const audit = yield* AuditLog
    const queue = yield* JobQueue
    const outbox = yield* Outbox
    const retryBase = yield* RetryBaseSeconds
    const columns = sql.literal(jobColumns)

    /**
     * Publishing happens after the commit: a message must never point at a row that does not
     * exist. If Redis is down the job still stands; the JobSweeper publishes it later.
     */
    const publishAfterCommit = (row: JobRow, delayMs = 0) =>
      queue.publish({ jobId: toJob(row).id, attempt: row.attempt + 1 }, { targetWorkerId: row.target_worker_id, delayMs }).pipe(
        Effect.catchAll((e) => Effect.logWarning(`job ${row.id} is queued but not yet published: ${String(e)}`))
      )

    /**
     * A backup job with its snapshot id allocated up front, or none when the source already
     * has one queued or running. Call inside a transaction; publish after it commits.
     */
    const insertBackup = (sourceId: string, tenantId: string, tags: ReadonlyArray<string>) =>
      sql<JobRow>`
        INSERT INTO jobs (id, type, status, tenant_id, source_id, snapshot_id, params)
        VALUES (${randomUUID()}, 'backup', 'queued', ${tenantId}, ${sourceId}, ${randomUUID()},
                ${JSON.stringify({ tags })}::jsonb)
        ON CONFLICT (source_id) WHERE type = 'backup' AND status IN ('queued', 'running') DO NOTHING
        RETURNING ${columns}`.pipe(Effect.map((rows) => Option.fromNullable(rows[0])))

    /** At most one backup of a source is queued or running: another is a 409 naming it. */
    const enqueueBackup = (sourceId: SourceId, tenantId: string, tags: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const inserted = yield* insertBackup(sourceId, tenantId, tags)
        if (Option.isNone(inserted)) {
          const active = yield* sql<{ id: string; status: string }>`
            SELECT id, status FROM jobs
            WHERE source_id = ${sourceId} AND type = 'backup' AND status IN ('queued', 'running')`
          return yield* new Conflict({
            message: `a backup of source ${sourceId} is already ${active[0]?.status ?? "active"} (job ${active[0]?.id ?? "?"})`
          })
        }
        const row = inserted.value
        yield* audit.record({
          action: "backup.enqueue",
          resourceType: "job",
          resourceId: row.id,
          tenantId,
          details: { sourceId, snapshotId: row.snapshot_id, tags }
        })
        return row
      }).pipe(
        sql.withTransaction,
        Effect.catchTag("SqlError", Effect.die),
        Effect.tap(publishAfterCommit),
        Effect.map(toJob)
      )

    /**
     * A job on the worker that holds a snapshot (delete, verify, restore): it waits in that
     * worker's own queue, however long the worker is away. Call inside the caller's
     * transaction and publish with `publishAfterCommit` once it has committed.
     */
    const insertForSnapshot = (job: {
      readonly type: "delete_snapshot" | "verify" | "restore"
      readonly snapshot: { readonly id: string; readonly tenantId: string; readonly sourceId: string; readonly workerId: string }
      readonly params?: JobParams
    }) =>
      sql<JobRow>`
        INSERT INTO jobs (id, type, status, tenant_id, source_id, snapshot_id, target_worker_id, params)
        VALUES (${randomUUID()}, ${job.type}, 'queued', ${job.snapshot.tenantId}, ${job.snapshot.sourceId},
                ${job.snapshot.id}, ${job.snapshot.workerId}, ${JSON.stringify(job.params ?? {})}::jsonb)
        RETURNING ${columns}`.pipe(Effect.map((rows) => rows[0]!), Effect.orDie)

    /**
     * Ends the current attempt of a job the caller holds locked: queued again after a backoff
     * when the failure is transient and attempts remain, failed otherwise (a failed backup
     * puts backup.failed in the webhook outbox, in this same transaction). Publish the retry
     * with `publishRetry` once the transaction has committed.
     */
    const endAttempt = (job: JobRow, error: string, retryable: boolean) =>
      Effect.gen(function*() {
        const retry = retryable && job.attempt < job.max_attempts
        const delaySeconds = retry ? retryDelaySeconds(retryBase, job.attempt + 1) : 0
        const [row] = yield* sql<JobRow>`
          UPDATE jobs SET status = ${retry ? "queued" : "failed"}, error = ${error},
                 lease_id = NULL, lease_expires_at = NULL, updated_at = now(),
                 available_at = now() + make_interval(secs => ${delaySeconds}),
                 finished_at = ${retry ? sql`NULL` : sql`now()`}
          WHERE id = ${job.id} RETURNING ${columns}`
        if (!retry && job.type === "backup") {
          yield* outbox.record({
            type: "backup.failed",
            tenantId: job.tenant_id,
            data: { jobId: job.id, sourceId: job.source_id, attempt: job.attempt, error }
          })
        }
        return { row: row!, delayMs: delaySeconds * 1000 }
      }).pipe(Effect.orDie)

    const publishRetry = (ended: { readonly row: JobRow; readonly delayMs: number }) =>
      ended.row.status === "queued" ? publishAfterCommit(ended.row, ended.delayMs) : Effect.void

    const find = (id: JobId) =>
      sql<JobRow>`SELECT ${columns} FROM jobs WHERE id = ${id}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]).pipe(Option.map(toJob))),
        Effect.orDie
      )

    return { enqueueBackup, insertBackup, insertForSnapshot, find, publishAfterCommit, endAttempt, publishRetry } as const
  })
}) {}
