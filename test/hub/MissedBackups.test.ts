import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { reportMissedBackups } from "../../src/hub/Schedules/MissedBackups.js"
import { Outbox } from "../../src/hub/Webhooks/Outbox.js"
import { adminToken, clientAs, HubTestLive } from "../support/HubTest.js"

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

/** One sweep, as the scheduler runs it (default grace: one hour). */
const sweep = Effect.provide(reportMissedBackups, Outbox.Default)

// A documentation address (TEST-NET-1): public as far as the checks go, and never answers.
const hookUrl = "https://192.0.2.1/hook"

const scheduledSource = Effect.gen(function*() {
  const hub = yield* clientAs(adminToken())
  const tenant = yield* hub.tenants.create({ payload: { name: unique("t") } })
  yield* hub.webhooks.create({ path: { tenantId: tenant.id }, payload: { url: hookUrl, events: ["backup.missed"] } })
  const source = yield* hub.sources.create({
    path: { tenantId: tenant.id },
    payload: {
      name: "web", host: "127.0.0.1", port: 22, username: "u", paths: ["/srv"], excludes: [],
      credentials: { _tag: "password", password: Redacted.make("pw") }
    }
  })
  const schedule = yield* hub.schedules.create({ payload: { sourceId: source.id, cron: "0 3 * * *", timezone: "UTC", enabled: true, retention: {}, verifyEvery: null } })
  return { tenantId: tenant.id, sourceId: source.id, scheduleId: schedule.id }
})

const missedEvents = (tenantId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ body: string }>`SELECT body FROM webhook_events WHERE tenant_id = ${tenantId} AND type = 'backup.missed'`).pipe(
    Effect.map((rows) => rows.map((r) => JSON.parse(r.body) as { data: { dueAt: string; scheduleId: string } }))
  )

layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("missed backups (real PostgreSQL)", (it) => {
  it.effect("a due time two hours past with no successful backup since is reported once, however many sweeps", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const s = yield* scheduledSource
      const [due] = yield* sql<{ last_due_at: Date }>`
        UPDATE schedules SET last_due_at = date_trunc('second', now()) - interval '2 hours' WHERE id = ${s.scheduleId} RETURNING last_due_at`
      // a backup that succeeded before the due time does not count
      yield* sql`INSERT INTO jobs (id, type, status, tenant_id, source_id, finished_at)
                 VALUES (${randomUUID()}, 'backup', 'succeeded', ${s.tenantId}, ${s.sourceId}, now() - interval '3 hours')`
      yield* sweep
      yield* sweep
      yield* sweep
      const events = yield* missedEvents(s.tenantId)
      expect(events.map((e) => e.data)).toEqual([{ scheduleId: s.scheduleId, sourceId: s.sourceId, dueAt: due!.last_due_at.toISOString(), graceSeconds: 3600 }])
      const [row] = yield* sql<{ missed_reported_due_at: Date }>`SELECT missed_reported_due_at FROM schedules WHERE id = ${s.scheduleId}`
      expect(row!.missed_reported_due_at.toISOString()).toBe(due!.last_due_at.toISOString())
    }))

  it.effect("nothing is reported within the grace period, after a successful backup since the due time, or while disabled", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const recent = yield* scheduledSource
      yield* sql`UPDATE schedules SET last_due_at = now() - interval '30 minutes' WHERE id = ${recent.scheduleId}`
      const backedUp = yield* scheduledSource
      yield* sql`UPDATE schedules SET last_due_at = now() - interval '2 hours' WHERE id = ${backedUp.scheduleId}`
      yield* sql`INSERT INTO jobs (id, type, status, tenant_id, source_id, finished_at)
                 VALUES (${randomUUID()}, 'backup', 'succeeded', ${backedUp.tenantId}, ${backedUp.sourceId}, now() - interval '90 minutes')`
      const disabled = yield* scheduledSource
      yield* sql`UPDATE schedules SET enabled = false, next_due_at = NULL, last_due_at = now() - interval '2 hours' WHERE id = ${disabled.scheduleId}`
      // every Hub was down: the due time the scheduler never acted on counts too
      const overdue = yield* scheduledSource
      yield* sql`UPDATE schedules SET next_due_at = now() - interval '2 hours' WHERE id = ${overdue.scheduleId}`
      yield* sweep
      for (const quiet of [recent, backedUp, disabled]) expect(yield* missedEvents(quiet.tenantId)).toEqual([])
      expect((yield* missedEvents(overdue.tenantId)).map((e) => e.data.scheduleId)).toEqual([overdue.scheduleId])
    }))
})
