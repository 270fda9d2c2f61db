import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { AuditLog } from "../Audit/AuditLog.js"
import { Jobs } from "../Jobs/Jobs.js"
import type { JobRow } from "../Jobs/JobRow.js"
import { insertSnapshotJob } from "../Snapshots/insertSnapshotJob.js"

interface CandidateRow {
  readonly schedule_id: string
  readonly snapshot_id: string
  readonly tenant_id: string
  readonly source_id: string
  readonly worker_id: string
}

/**
 * For each schedule with `verify_every_seconds`, queues a verify job on the owning worker for
 * its source's available snapshot verified least recently (never-verified ones first, oldest
 * first), once that verification is older than the interval. At most one verify of a source
 * is queued or running at a time, asked-for ones included, so a source with many snapshots is
 * walked through one by one instead of flooding its worker. Schedule row locks (SKIP LOCKED)
 * keep two Hubs from queueing the same verification.
 */
export const queueScheduledVerifications = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const jobs = yield* Jobs
  const audit = yield* AuditLog

  const queued = yield* Effect.gen(function*() {
    const candidates = yield* sql<CandidateRow>`
      SELECT sc.id AS schedule_id, snap.id AS snapshot_id, snap.tenant_id, snap.source_id, snap.worker_id
      FROM schedules sc
      CROSS JOIN LATERAL (
        SELECT s.id, s.tenant_id, s.source_id, s.worker_id FROM snapshots s
        WHERE s.source_id = sc.source_id AND s.status = 'available'
          AND (s.verified_at IS NULL OR s.verified_at < now() - make_interval(secs => sc.verify_every_seconds))
        ORDER BY s.verified_at NULLS FIRST, s.created_at, s.id LIMIT 1
      ) snap
      WHERE sc.enabled AND sc.verify_every_seconds IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.source_id = sc.source_id AND j.type = 'verify'
                          AND j.status IN ('queued', 'running'))
      FOR UPDATE OF sc SKIP LOCKED`
    const rows: Array<JobRow> = []
    for (const c of candidates) {
      const snapshot = { id: c.snapshot_id, tenantId: c.tenant_id, sourceId: c.source_id, workerId: c.worker_id }
      rows.push(yield* insertSnapshotJob({ jobs, audit }, { type: "verify", snapshot, details: { scheduleId: c.schedule_id } }))
    }
    return rows
  }).pipe(sql.withTransaction)
  yield* Effect.forEach(queued, (row) => jobs.publishAfterCommit(row), { discard: true })
})
