import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict } from "../../shared/contract/ApiError.js"
import type { SnapshotId } from "../../shared/contract/Ids.js"
import type { JobResult } from "../../shared/contract/Jobs.js"
import type { BackupCompletion, JobCompletion } from "../../shared/contract/Workers.js"
import { artifactLocator } from "../../shared/storage/Locators.js"
import { AuditLog } from "../Audit/AuditLog.js"
import type { JobRow } from "../Jobs/JobRow.js"
import { Outbox } from "../Webhooks/Outbox.js"

/** Where a backup's artifact must be, relative to the worker's storage base. */
export const expectedLocator = (job: JobRow) =>
  artifactLocator({ tenantId: job.tenant_id, sourceId: String(job.source_id), snapshotId: String(job.snapshot_id) })

/**
 * Records what a finished job did, inside the transaction that marks it succeeded: the new
 * snapshot row, a snapshot's deletion or verification, and the webhook events they raise
 * (backup.succeeded, snapshot.corrupt). Returns the job's result.
 */
export class Completions extends Effect.Service<Completions>()("hub/Completions", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const audit = yield* AuditLog
    const outbox = yield* Outbox

    const backup = (job: JobRow, workerId: string, report: BackupCompletion) =>
      Effect.gen(function*() {
        if (report.locator !== expectedLocator(job)) {
          return yield* new Conflict({ message: `locator ${report.locator} is not where job ${job.id} must write (${expectedLocator(job)})` })
        }
        yield* sql`
          INSERT INTO snapshots (id, tenant_id, source_id, job_id, worker_id, storage_backend, locator, size_bytes,
                                 sha256, file_count, dir_count, symlink_count, bytes_in, age_header, manifest, tags)
          VALUES (${job.snapshot_id}, ${job.tenant_id}, ${job.source_id}, ${job.id}, ${workerId}, ${report.storageBackend ?? "local_fs"},
                  ${report.locator}, ${report.sizeBytes}, ${report.sha256}, ${report.fileCount}, ${report.dirCount},
                  ${report.symlinkCount}, ${report.bytesIn}, ${report.ageHeader},
                  ${JSON.stringify(report.manifest)}::jsonb,
                  ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(job.params.tags ?? [])}::jsonb)))`
        yield* audit.record({
          action: "snapshot.create",
          resourceType: "snapshot",
          resourceId: job.snapshot_id!,
          tenantId: job.tenant_id,
          details: { jobId: job.id, sourceId: job.source_id, workerId, sizeBytes: report.sizeBytes }
        })
        yield* outbox.record({
          type: "backup.succeeded",
          tenantId: job.tenant_id,
          data: { jobId: job.id, sourceId: job.source_id, snapshotId: job.snapshot_id, sizeBytes: report.sizeBytes, fileCount: report.fileCount }
        })
        return {
          snapshotId: job.snapshot_id as SnapshotId,
          sizeBytes: report.sizeBytes,
          sha256: report.sha256,
          fileCount: report.fileCount,
          bytesIn: report.bytesIn,
          warnings: report.warnings
        } satisfies JobResult
      })

    const record = (job: JobRow, workerId: string, report: JobCompletion) =>
      Effect.gen(function*() {
        if (report.type !== job.type) {
          return yield* new Conflict({ message: `a ${report.type} completion cannot end ${job.type} job ${job.id}` })
        }
        const snapshotId = job.snapshot_id as SnapshotId
        switch (report.type) {
          case "backup":
            return yield* backup(job, workerId, report)
          case "delete_snapshot": {
            yield* sql`UPDATE snapshots SET status = 'deleted', deleted_at = now() WHERE id = ${snapshotId} AND status <> 'deleted'`
            yield* audit.record({
              action: "snapshot.deleted",
              resourceType: "snapshot",
              resourceId: snapshotId,
              tenantId: job.tenant_id,
              details: { jobId: job.id, workerId, removed: report.result.removed }
            })
            return { ...report.result, snapshotId }
          }
          case "verify": {
            const { intact, problem } = report.result
            // a snapshot being deleted stays so; otherwise the verdict decides available or corrupt
            yield* sql`
              UPDATE snapshots SET verified_at = now(), verify_error = ${intact ? null : problem},
                     status = CASE WHEN status IN ('available', 'corrupt') THEN ${intact ? "available" : "corrupt"} ELSE status END
              WHERE id = ${snapshotId}`
            yield* audit.record({
              action: "snapshot.verified",
              resourceType: "snapshot",
              resourceId: snapshotId,
              tenantId: job.tenant_id,
              details: { jobId: job.id, workerId, intact, problem }
            })
            if (!intact) {
              yield* outbox.record({
                type: "snapshot.corrupt",
                tenantId: job.tenant_id,
                data: { jobId: job.id, sourceId: job.source_id, snapshotId, error: problem ?? "corrupt" }
              })
            }
            return { ...report.result, snapshotId }
          }
          case "restore": {
            yield* audit.record({
              action: "restore.complete",
              resourceType: "job",
              resourceId: job.id,
              tenantId: job.tenant_id,
              details: { snapshotId, workerId, to: report.result.to }
            })
            return { ...report.result, snapshotId }
          }
        }
      }).pipe(Effect.catchTag("SqlError", Effect.die))

    return { record } as const
  })
}) {}
