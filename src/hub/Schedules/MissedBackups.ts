import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Outbox } from "../Webhooks/Outbox.js"
import { BackupMissedGraceSeconds } from "../Webhooks/WebhookConfig.js"

interface MissedRow {
  readonly id: string
  readonly tenant_id: string
  readonly source_id: string
  readonly due_at: Date
}

/**
 * Raises backup.missed for every enabled schedule whose latest due time passed more than the
 * grace period ago without a successful backup of its source since. The due time is recorded
 * on the schedule in the same transaction, so each missed due time is reported once however
 * many sweeps (and Hubs) see it. The latest due time is `next_due_at` while the scheduler has
 * not acted on it (every Hub was down), `last_due_at` once it has.
 */
export const reportMissedBackups = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const outbox = yield* Outbox
  const grace = yield* BackupMissedGraceSeconds
  yield* Effect.gen(function*() {
    const missed = yield* sql<MissedRow>`
      SELECT sc.id, s.tenant_id, sc.source_id, latest.due_at
      FROM schedules sc JOIN sources s ON s.id = sc.source_id
      CROSS JOIN LATERAL (SELECT CASE WHEN sc.next_due_at <= now() THEN sc.next_due_at ELSE sc.last_due_at END AS due_at) latest
      WHERE sc.enabled AND latest.due_at < now() - make_interval(secs => ${grace})
        AND sc.missed_reported_due_at IS DISTINCT FROM latest.due_at
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.source_id = sc.source_id AND j.type = 'backup'
                          AND j.status = 'succeeded' AND j.finished_at >= latest.due_at)
      FOR UPDATE OF sc SKIP LOCKED`
    for (const row of missed) {
      yield* sql`UPDATE schedules SET missed_reported_due_at = ${row.due_at} WHERE id = ${row.id}`
      yield* outbox.record({
        type: "backup.missed",
        tenantId: row.tenant_id,
        data: { scheduleId: row.id, sourceId: row.source_id, dueAt: row.due_at.toISOString(), graceSeconds: grace }
      })
      yield* Effect.logWarning(`schedule ${row.id}: no successful backup of source ${row.source_id} since ${row.due_at.toISOString()}`)
    }
  }).pipe(sql.withTransaction)
})
