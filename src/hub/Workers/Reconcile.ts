import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { SnapshotId } from "../../shared/contract/Ids.js"
import type { ReconcileVerdict, StoredSnapshotDir } from "../../shared/contract/Workers.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { type JobFacts, reconcileVerdict, type SnapshotFacts } from "./reconcileVerdict.js"

/**
 * Answers a worker that listed the snapshot directories on its volume: which of them it may
 * remove (reconcileVerdict says when). Nothing is locked: a job that has ended never runs
 * again and a `deleted` row never comes back, so a verdict cannot turn stale before the
 * worker acts on it. Removals are audited under the worker's name.
 */
export class Reconcile extends Effect.Service<Reconcile>()("hub/Reconcile", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const audit = yield* AuditLog

    const judge = (workerId: string, dirs: ReadonlyArray<StoredSnapshotDir>) =>
      Effect.gen(function*() {
        if (dirs.length === 0) return { remove: [], unknown: [] }
        const ids = dirs.map((d) => d.snapshotId)
        const rows = yield* sql<SnapshotFacts & { id: string }>`
          SELECT id, tenant_id, source_id, worker_id, status FROM snapshots WHERE id IN ${sql.in(ids)}`
        const jobs = yield* sql<JobFacts & { snapshot_id: string }>`
          SELECT snapshot_id, type, status, tenant_id, source_id FROM jobs WHERE snapshot_id IN ${sql.in(ids)}`
        const remove: Array<SnapshotId> = []
        const unknown: Array<SnapshotId> = []
        for (const dir of dirs) {
          const verdict = reconcileVerdict(
            workerId,
            dir,
            rows.find((r) => r.id === dir.snapshotId),
            jobs.filter((j) => j.snapshot_id === dir.snapshotId)
          )
          if (verdict === "remove") remove.push(dir.snapshotId)
          else if (verdict === "unknown") unknown.push(dir.snapshotId)
        }
        if (remove.length > 0) {
          yield* audit.record({
            action: "worker.reconcile",
            resourceType: "worker",
            resourceId: workerId,
            tenantId: null,
            details: { listed: dirs.length, removeSnapshotIds: remove }
          })
        }
        return { remove, unknown } satisfies ReconcileVerdict
      }).pipe(Effect.orDie)

    return { judge } as const
  })
}) {}
