import { randomUUID } from "node:crypto"
import { SqlClient, type Statement } from "@effect/sql"
import { Clock, Effect, Option } from "effect"
import { Conflict, NotFound } from "../../shared/contract/ApiError.js"
import type { SourceId, TenantId } from "../../shared/contract/Ids.js"
import type { CreateSchedule, ScheduleId, UpdateSchedule } from "../../shared/contract/Schedules.js"
import { parseInterval } from "../../shared/schedule/Interval.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { nextDue, scheduleColumns, type ScheduleRow, toSchedule } from "./ScheduleRow.js"

export const scheduleNotFound = (id: string) => new NotFound({ message: `schedule ${id} not found` })

/** Validated on the way in (VerifyInterval). */
const secondsOf = (verifyEvery: string | null) => (verifyEvery === null ? null : parseInterval(verifyEvery)!)

const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

/** One schedule per source: when to back it up, and which snapshots to keep. */
export class Schedules extends Effect.Service<Schedules>()("hub/Schedules", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const audit = yield* AuditLog
    const columns = sql.literal(scheduleColumns)

    const selectWhere = (condition: Statement.Fragment) =>
      sql<ScheduleRow>`SELECT ${columns} FROM schedules sc JOIN sources s ON s.id = sc.source_id WHERE ${condition}
                       ORDER BY sc.created_at, sc.id`

    const find = (id: ScheduleId) =>
      Effect.map(selectWhere(sql`sc.id = ${id}`), (rows) => Option.fromNullable(rows[0]).pipe(Option.map(toSchedule))).pipe(
        Effect.orDie
      )

    const get = (id: ScheduleId) =>
      Effect.flatMap(find(id), Option.match({ onNone: () => Effect.fail(scheduleNotFound(id)), onSome: Effect.succeed }))

    const list = (filter: { readonly tenantId: TenantId | undefined; readonly sourceId: SourceId | undefined }) =>
      selectWhere(sql.and([
        filter.tenantId === undefined ? sql`true` : sql`s.tenant_id = ${filter.tenantId}`,
        filter.sourceId === undefined ? sql`true` : sql`sc.source_id = ${filter.sourceId}`
      ])).pipe(Effect.map((rows) => rows.map(toSchedule)), Effect.orDie)

    const create = (request: CreateSchedule, tenantId: TenantId) =>
      Effect.gen(function*() {
        const id = randomUUID()
        const due = nextDue(request, yield* now)
        const inserted = yield* sql<{ id: string }>`
          INSERT INTO schedules (id, source_id, cron, timezone, enabled, retention, verify_every_seconds, next_due_at)
          VALUES (${id}, ${request.sourceId}, ${request.cron}, ${request.timezone}, ${request.enabled},
                  ${JSON.stringify(request.retention)}::jsonb, ${secondsOf(request.verifyEvery)}, ${due})
          ON CONFLICT (source_id) DO NOTHING RETURNING id`
        if (inserted.length === 0) {
          const [existing] = yield* sql<{ id: string }>`SELECT id FROM schedules WHERE source_id = ${request.sourceId}`
          return yield* new Conflict({
            message: `source ${request.sourceId} already has a schedule (${existing?.id ?? "?"}); update it instead`
          })
        }
        yield* audit.record({
          action: "schedule.create",
          resourceType: "schedule",
          resourceId: id,
          tenantId,
          details: {
            sourceId: request.sourceId,
            cron: request.cron,
            timezone: request.timezone,
            enabled: request.enabled,
            retention: request.retention,
            verifyEvery: request.verifyEvery
          }
        })
        return id as ScheduleId
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die), Effect.flatMap(get))

    const update = (id: ScheduleId, change: UpdateSchedule) =>
      Effect.gen(function*() {
        const [row] = yield* sql<ScheduleRow>`
          SELECT ${columns} FROM schedules sc JOIN sources s ON s.id = sc.source_id WHERE sc.id = ${id} FOR UPDATE OF sc`
        if (!row) return yield* scheduleNotFound(id)
        const next = {
          cron: change.cron ?? row.cron,
          timezone: change.timezone ?? row.timezone,
          enabled: change.enabled ?? row.enabled,
          retention: change.retention ?? row.retention,
          verifyEverySeconds: change.verifyEvery === undefined ? row.verify_every_seconds : secondsOf(change.verifyEvery)
        }
        const timingChanged = next.cron !== row.cron || next.timezone !== row.timezone || next.enabled !== row.enabled
        const due = timingChanged ? nextDue(next, yield* now) : row.next_due_at
        yield* sql`
          UPDATE schedules SET cron = ${next.cron}, timezone = ${next.timezone}, enabled = ${next.enabled},
                 retention = ${JSON.stringify(next.retention)}::jsonb, verify_every_seconds = ${next.verifyEverySeconds},
                 next_due_at = ${due}, updated_at = now(),
                 -- new timing starts afresh: an old due time is no longer reported as missed
                 last_due_at = ${timingChanged ? null : row.last_due_at}
          WHERE id = ${id}`
        yield* audit.record({
          action: "schedule.update",
          resourceType: "schedule",
          resourceId: id,
          tenantId: row.tenant_id,
          details: { ...change }
        })
        return id
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die), Effect.flatMap(get))

    const remove = (id: ScheduleId) =>
      Effect.gen(function*() {
        const schedule = yield* get(id)
        yield* sql`DELETE FROM schedules WHERE id = ${id}`
        yield* audit.record({
          action: "schedule.delete",
          resourceType: "schedule",
          resourceId: id,
          tenantId: schedule.tenantId,
          details: { sourceId: schedule.sourceId }
        })
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    /** The policy and time zone retention uses for a source: its schedule's, or keep-everything in UTC. */
    const policyOf = (sourceId: SourceId) =>
      Effect.map(
        sql<{ retention: ScheduleRow["retention"]; timezone: string }>`
          SELECT retention, timezone FROM schedules WHERE source_id = ${sourceId}`,
        (rows) => rows[0] ?? { retention: {}, timezone: "UTC" }
      ).pipe(Effect.orDie)

    return { find, get, list, create, update, remove, policyOf } as const
  })
}) {}
