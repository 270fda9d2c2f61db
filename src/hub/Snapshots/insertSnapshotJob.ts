import { Effect } from "effect"
import type { AuditLog } from "../Audit/AuditLog.js"
import type { JobParams } from "../Jobs/JobRow.js"
import type { Jobs } from "../Jobs/Jobs.js"

export interface SnapshotRef {
  readonly id: string
  readonly tenantId: string
  readonly sourceId: string
  readonly workerId: string
}

/**
 * Inserts a verify or restore job for a snapshot on its worker and its audit entry
 * (`snapshot.verify`, `restore.create`), in the caller's transaction: one shape whether an
 * operator asked or a schedule did (`details` says which). The caller publishes the row after
 * the commit.
 */
export const insertSnapshotJob = (
  services: { readonly jobs: Jobs; readonly audit: AuditLog },
  job: {
    readonly type: "verify" | "restore"
    readonly snapshot: SnapshotRef
    readonly params?: JobParams
    readonly details?: Readonly<Record<string, unknown>>
  }
) =>
  Effect.gen(function*() {
    const { snapshot } = job
    const row = yield* services.jobs.insertForSnapshot({
      type: job.type,
      snapshot,
      ...(job.params === undefined ? {} : { params: job.params })
    })
    yield* services.audit.record({
      action: job.type === "verify" ? "snapshot.verify" : "restore.create",
      resourceType: "job",
      resourceId: row.id,
      tenantId: snapshot.tenantId,
      details: { snapshotId: snapshot.id, workerId: snapshot.workerId, ...job.params, ...job.details }
    })
    return row
  })
