import { SqlClient } from "@effect/sql"
import { Clock, Config, Duration, Effect, Layer, Option, Schedule } from "effect"
import { AuditLog } from "../Audit/AuditLog.js"
import { Jobs } from "../Jobs/Jobs.js"
import type { JobRow } from "../Jobs/JobRow.js"
import { reportMissedBackups } from "./MissedBackups.js"
import { queueScheduledVerifications } from "./ScheduledVerify.js"
import { nextDue, scheduleColumns, type ScheduleRow } from "./ScheduleRow.js"

/** How often the Hub looks for due schedules: the most a scheduled backup starts late. */
export const SchedulerIntervalSeconds = Config.number("HUB_SCHEDULER_INTERVAL_SECONDS").pipe(
  Config.withDefault(15),
  Config.validate({ message: "HUB_SCHEDULER_INTERVAL_SECONDS must be from 0.1 to 300", validation: (n) => n >= 0.1 && n <= 300 })
)

/**
 * Enqueues one backup for every schedule due at `now`, and moves each to its next due time
 * after `now`: a Hub that was down across several due times runs one catch-up backup, not
 * one per missed time. Row locks (SKIP LOCKED) make each due time fire once however many
 * Hubs run this at once; a source with a backup still queued or running gets none.
 */
export const runDueSchedules = (now: Date) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const jobs = yield* Jobs
    const audit = yield* AuditLog
    const columns = sql.literal(scheduleColumns)

    const enqueued = yield* Effect.gen(function*() {
      const due = yield* sql<ScheduleRow>`
        SELECT ${columns} FROM schedules sc JOIN sources s ON s.id = sc.source_id
        WHERE sc.enabled AND sc.next_due_at <= ${now}
        FOR UPDATE OF sc SKIP LOCKED`
      const rows: Array<JobRow> = []
      for (const schedule of due) {
        const inserted = yield* jobs.insertBackup(schedule.source_id, schedule.tenant_id, [])
        yield* sql`
          UPDATE schedules SET next_due_at = ${nextDue(schedule, now)}, last_due_at = ${schedule.next_due_at}, updated_at = now(),
                 last_enqueued_at = ${Option.isSome(inserted) ? now : schedule.last_enqueued_at}
          WHERE id = ${schedule.id}`
        if (Option.isNone(inserted)) {
          yield* Effect.logInfo(`schedule ${schedule.id}: due, but a backup of source ${schedule.source_id} is still active`)
          continue
        }
        yield* audit.record({
          action: "backup.enqueue",
          resourceType: "job",
          resourceId: inserted.value.id,
          tenantId: schedule.tenant_id,
          details: { sourceId: schedule.source_id, snapshotId: inserted.value.snapshot_id, scheduleId: schedule.id, dueAt: schedule.next_due_at }
        })
        rows.push(inserted.value)
      }
      return rows
    }).pipe(sql.withTransaction)
    yield* Effect.forEach(enqueued, (row) => jobs.publishAfterCommit(row), { discard: true })
    return enqueued
  })

export const SchedulerLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const interval = yield* SchedulerIntervalSeconds
    const duty = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) =>
      Effect.catchAllCause(effect, (cause) => Effect.logError(`scheduler: ${name} failed`, cause))
    // each duty fails on its own: a broken verification query must not stop backups
    const tick = Effect.all([
      duty("due schedules", Effect.flatMap(Clock.currentTimeMillis, (ms) => runDueSchedules(new Date(ms)))),
      duty("missed backups", reportMissedBackups),
      duty("scheduled verification", queueScheduledVerifications)
    ], { discard: true })
    yield* Effect.forkScoped(tick.pipe(Effect.repeat(Schedule.spaced(Duration.seconds(interval)))))
  })
)
