import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { Clock, Effect } from "effect"
import type { WebhookEventType } from "../../shared/contract/Webhooks.js"

export interface WebhookEvent {
  readonly type: WebhookEventType
  readonly tenantId: string
  /** Ids, times and error texts only: never a secret. */
  readonly data: Readonly<Record<string, string | number | boolean | null>>
}

/**
 * The durable outbox. `record` must run inside the transaction that commits what the event
 * reports: then the event exists exactly when its cause does, and a Hub that dies after the
 * commit delivers it after a restart. Nothing is stored when no webhook wants the event.
 */
export class Outbox extends Effect.Service<Outbox>()("hub/Outbox", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const record = (event: WebhookEvent) =>
      Effect.gen(function*() {
        const id = randomUUID()
        const occurredAt = new Date(yield* Clock.currentTimeMillis)
        const body = JSON.stringify({ id, type: event.type, occurredAt: occurredAt.toISOString(), tenantId: event.tenantId, data: event.data })
        yield* sql`
          WITH targets AS (
            SELECT id FROM webhooks WHERE tenant_id = ${event.tenantId} AND ${event.type} = ANY (events)
          ), event AS (
            INSERT INTO webhook_events (id, tenant_id, type, body, occurred_at)
            SELECT ${id}, ${event.tenantId}, ${event.type}, ${body}, ${occurredAt} WHERE EXISTS (SELECT 1 FROM targets)
            RETURNING id
          )
          INSERT INTO webhook_deliveries (webhook_id, event_id) SELECT targets.id, event.id FROM targets, event`
      }).pipe(Effect.orDie)

    return { record } as const
  })
}) {}
