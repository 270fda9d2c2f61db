import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import type { JobId, SnapshotId, SourceId } from "../../shared/contract/Ids.js"
import type { RetentionPlan } from "../../shared/contract/Schedules.js"
import { planRetention } from "../../shared/retention/Plan.js"
import { isEmptyPolicy, type RetentionPolicy } from "../../shared/retention/Policy.js"
import { Jobs } from "../Jobs/Jobs.js"
import type { JobRow } from "../Jobs/JobRow.js"
import { Schedules } from "../Schedules/Schedules.js"
import { snapshotColumns, type SnapshotRow, toSnapshot } from "../Snapshots/SnapshotRow.js"
import { SnapshotJobs } from "../Snapshots/SnapshotJobs.js"

/**
 * Applies a source's keep policy. Only `available` snapshots count as copies: corrupt ones
 * and those already being deleted are neither kept nor removed here. Removal marks a snapshot
 * `deleting` and queues its deletion on the worker that holds it; nobody else touches it.
 */
export class Retention extends Effect.Service<Retention>()("hub/Retention", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const schedules = yield* Schedules
    const snapshotJobs = yield* SnapshotJobs
    const jobs = yield* Jobs
    const columns = sql.literal(snapshotColumns)

    const available = (sourceId: SourceId, forUpdate: boolean) =>
      sql<SnapshotRow>`
        SELECT ${columns} FROM snapshots WHERE source_id = ${sourceId} AND status = 'available'
        ORDER BY created_at DESC, id DESC ${forUpdate ? sql`FOR UPDATE` : sql``}`

    const planOver = (rows: ReadonlyArray<SnapshotRow>, policy: RetentionPolicy, timezone: string) => {
      const plan = planRetention(rows.map((r) => ({ id: r.id, time: r.created_at, tags: r.tags })), policy, timezone)
      const createdAt = new Map(rows.map((r) => [r.id, DateTime.unsafeFromDate(r.created_at)]))
      return {
        policy,
        timezone,
        keep: plan.keep.map((k) => ({ id: k.id as SnapshotId, createdAt: createdAt.get(k.id)!, reasons: k.reasons })),
        remove: plan.remove.map((r) => ({ id: r.id as SnapshotId, createdAt: createdAt.get(r.id)!, deleteJobId: null as JobId | null })),
        deleteJobs: [] as Array<JobId>
      }
    }

    /** What a policy (default: the schedule's) would keep and remove, changing nothing. */
    const preview = (sourceId: SourceId, request: { readonly policy?: RetentionPolicy | undefined; readonly timezone?: string | undefined }) =>
      Effect.gen(function*() {
        const own = yield* schedules.policyOf(sourceId)
        const rows = yield* available(sourceId, false)
        return planOver(rows, request.policy ?? own.retention, request.timezone ?? own.timezone) satisfies RetentionPlan
      }).pipe(Effect.orDie)

    /** Evaluates the schedule's policy and queues the deletions, in one transaction. */
    const apply = (sourceId: SourceId, reason: string) =>
      Effect.gen(function*() {
        const own = yield* schedules.policyOf(sourceId)
        // an empty policy keeps everything: nothing to lock for (most sources, after every backup)
        const removes = !isEmptyPolicy(own.retention)
        // one evaluation per source at a time: two Hubs applying at once must not both remove a "last" copy
        if (removes) yield* sql`SELECT id FROM sources WHERE id = ${sourceId} FOR UPDATE`
        const rows = yield* available(sourceId, removes)
        const plan = planOver(rows, own.retention, own.timezone)
        const byId = new Map(rows.map((r) => [r.id, r]))
        const queued: Array<JobRow> = []
        for (const { id } of plan.remove) {
          queued.push(yield* snapshotJobs.deleteSnapshot(toSnapshot(byId.get(id)!), reason))
        }
        return { plan, queued }
      }).pipe(
        sql.withTransaction,
        Effect.orDie,
        Effect.tap(({ queued }) => Effect.forEach(queued, (row) => jobs.publishAfterCommit(row), { discard: true })),
        Effect.map(({ plan, queued }): RetentionPlan => {
          const jobOf = new Map(queued.map((row) => [row.snapshot_id, row.id as JobId]))
          return {
            ...plan,
            remove: plan.remove.map((r) => ({ ...r, deleteJobId: jobOf.get(r.id) ?? null })),
            deleteJobs: queued.map((row) => row.id as JobId)
          }
        })
      )

    return { preview, apply } as const
  })
}) {}
