import { DateTime, Either } from "effect"
import type { SourceId, TenantId } from "../../shared/contract/Ids.js"
import { Schedule, type ScheduleId } from "../../shared/contract/Schedules.js"
import type { RetentionPolicy } from "../../shared/retention/Policy.js"
import { nextDueAfter, parseCron } from "../../shared/schedule/Cron.js"
import { intervalText } from "../../shared/schedule/Interval.js"

export interface ScheduleRow {
  readonly id: string
  readonly tenant_id: string
  readonly source_id: string
  readonly cron: string
  readonly timezone: string
  readonly enabled: boolean
  readonly retention: RetentionPolicy
  readonly verify_every_seconds: number | null
  readonly next_due_at: Date | null
  readonly last_enqueued_at: Date | null
  readonly last_due_at: Date | null
  readonly created_at: Date
  readonly updated_at: Date
}

/** Joined with sources for the tenant: schedules have no tenant column of their own. */
export const scheduleColumns = `sc.id, s.tenant_id, sc.source_id, sc.cron, sc.timezone, sc.enabled, sc.retention, sc.verify_every_seconds,
  sc.next_due_at, sc.last_enqueued_at, sc.last_due_at, sc.created_at, sc.updated_at`

const dateOrNull = (d: Date | null) => (d === null ? null : DateTime.unsafeFromDate(d))

export const toSchedule = (row: ScheduleRow) =>
  new Schedule({
    id: row.id as ScheduleId,
    tenantId: row.tenant_id as TenantId,
    sourceId: row.source_id as SourceId,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    retention: row.retention,
    verifyEvery: row.verify_every_seconds === null ? null : intervalText(row.verify_every_seconds),
    nextDueAt: dateOrNull(row.next_due_at),
    lastEnqueuedAt: dateOrNull(row.last_enqueued_at),
    createdAt: DateTime.unsafeFromDate(row.created_at),
    updatedAt: DateTime.unsafeFromDate(row.updated_at)
  })

/** The next due time after `after`, or null for a disabled schedule. The cron was validated on the way in. */
export const nextDue = (schedule: { readonly cron: string; readonly timezone: string; readonly enabled: boolean }, after: Date) =>
  schedule.enabled ? nextDueAfter(Either.getOrThrow(parseCron(schedule.cron)), after, schedule.timezone) : null
