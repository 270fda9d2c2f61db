import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { BadRequest, Conflict, NotFound } from "../../shared/contract/ApiError.js"
import type { SourceId } from "../../shared/contract/Ids.js"
import type { CreateRestore } from "../../shared/contract/Restores.js"
import type { Snapshot } from "../../shared/contract/Snapshots.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { Jobs } from "../Jobs/Jobs.js"
import { toJob } from "../Jobs/JobRow.js"
import { insertSnapshotJob } from "./insertSnapshotJob.js"

const refOf = (s: Snapshot) => ({ id: s.id, tenantId: s.tenantId, sourceId: s.sourceId, workerId: s.workerId })

/**
 * Jobs that act on a stored snapshot. They run only on the worker whose disk holds it, so
 * they wait in that worker's own queue until it takes them.
 */
export class SnapshotJobs extends Effect.Service<SnapshotJobs>()("hub/SnapshotJobs", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const jobs = yield* Jobs
    const audit = yield* AuditLog

    const committed = <E, R>(effect: Effect.Effect<Parameters<typeof toJob>[0], E, R>) =>
      effect.pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die), Effect.tap(jobs.publishAfterCommit), Effect.map(toJob))

    const verify = (snapshot: Snapshot) =>
      committed(Effect.gen(function*() {
        if (snapshot.status !== "available" && snapshot.status !== "corrupt") {
          return yield* new Conflict({ message: `snapshot ${snapshot.id} is ${snapshot.status}; only stored snapshots can be verified` })
        }
        return yield* insertSnapshotJob({ jobs, audit }, { type: "verify", snapshot: refOf(snapshot) })
      }))

    /** `targetTenantOf` finds the tenant of a target source, or fails 404 when there is none. */
    const restore = (
      snapshot: Snapshot,
      request: CreateRestore,
      targetTenantOf: (id: SourceId) => Effect.Effect<string, NotFound>
    ) =>
      committed(Effect.gen(function*() {
        if (request.to === "archive" && (request.targetSourceId !== undefined || request.targetPath !== undefined || request.overwrite)) {
          return yield* new BadRequest({ message: "targetSourceId, targetPath and overwrite apply only to a restore with to = sftp" })
        }
        if (snapshot.status !== "available") {
          return yield* new Conflict({
            message: `snapshot ${snapshot.id} is ${snapshot.status}${snapshot.verifyError ? ` (${snapshot.verifyError})` : ""}; only available snapshots can be restored`
          })
        }
        if (request.targetSourceId !== undefined && (yield* targetTenantOf(request.targetSourceId)) !== snapshot.tenantId) {
          return yield* new NotFound({ message: `source ${request.targetSourceId} not found` })
        }
        const params = {
          to: request.to,
          includes: request.includes,
          targetSourceId: request.to === "sftp" ? request.targetSourceId ?? snapshot.sourceId : null,
          targetPath: request.targetPath ?? null,
          overwrite: request.overwrite
        }
        return yield* insertSnapshotJob({ jobs, audit }, { type: "restore", snapshot: refOf(snapshot), params })
      }))

    /**
     * Marks the snapshot `deleting` and queues its deletion on the owning worker, in one
     * transaction with the caller's (retention): it stops counting as a kept copy at once.
     */
    const deleteSnapshot = (snapshot: Snapshot, reason: string) =>
      Effect.gen(function*() {
        yield* sql`UPDATE snapshots SET status = 'deleting' WHERE id = ${snapshot.id}`
        const row = yield* jobs.insertForSnapshot({ type: "delete_snapshot", snapshot: refOf(snapshot) })
        yield* audit.record({
          action: "snapshot.delete",
          resourceType: "snapshot",
          resourceId: snapshot.id,
          tenantId: snapshot.tenantId,
          details: { jobId: row.id, workerId: snapshot.workerId, reason }
        })
        return row
      }).pipe(Effect.orDie)

    return { verify, restore, deleteSnapshot } as const
  })
}) {}
