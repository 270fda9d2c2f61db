import { Effect } from "effect"
import type { AuditLog } from "../Audit/AuditLog.js"
import type { Jobs } from "../Jobs/Jobs.js"

export interface SnapshotRef {
  readonly id: string
  readonly tenantId: string
  readonly sourceId: string
  readonly workerId: string
}

/**
 * Inserts a verify job for a snapshot on its worker and its `snapshot.verify` audit entry, in
 * the caller's transaction: one shape whether an operator asked or a schedule did (`details`
 * says which). The caller publishes the row after the commit.
 */
export const insertVerify = (
  services: { readonly jobs: Jobs; readonly audit: AuditLog },
  snapshot: SnapshotRef,
  details: Readonly<Record<string, unknown>> = {}
) =>
  Effect.gen(function*() {
    const row = yield* services.jobs.insertForSnapshot({ type: "verify", snapshot })
    yield* services.audit.record({
      action: "snapshot.verify",
      resourceType: "job",
      resourceId: row.id,
      tenantId: snapshot.tenantId,
      details: { snapshotId: snapshot.id, workerId: snapshot.workerId, ...details }
    })
    return row
  })
