import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Redacted } from "effect"
import { NotFound } from "../../shared/contract/ApiError.js"
import type { TenantId } from "../../shared/contract/Ids.js"
import { type CreateWebhook, CreatedWebhook, Webhook, WebhookAttempt, type WebhookEventType, type WebhookId } from "../../shared/contract/Webhooks.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { sealContext, SealedColumns } from "../Secrets/SealedColumns.js"
import { Sealer } from "../Secrets/Sealer.js"
import { tenantNotFound } from "../Tenants/Tenants.js"
import { newWebhookSecret } from "./Signature.js"
import { WebhookAllowPrivate } from "./WebhookConfig.js"
import { checkWebhookUrl } from "./WebhookUrl.js"

interface WebhookRow {
  readonly id: string
  readonly tenant_id: string
  readonly url: string
  readonly events: ReadonlyArray<WebhookEventType>
  readonly created_at: Date
}

interface AttemptRow {
  readonly event_id: string
  readonly type: string
  readonly status: WebhookAttempt["deliveryStatus"]
  readonly attempt: number
  readonly status_code: number | null
  readonly error: string | null
  readonly at: Date
}

const toWebhook = (row: WebhookRow) =>
  new Webhook({
    id: row.id as WebhookId,
    tenantId: row.tenant_id as TenantId,
    url: row.url,
    events: row.events,
    createdAt: DateTime.unsafeFromDate(row.created_at)
  })

export const webhookNotFound = (id: string) => new NotFound({ message: `webhook ${id} not found` })

/** A tenant's webhooks: where its events go, signed with a secret only the Hub and the receiver hold. */
export class Webhooks extends Effect.Service<Webhooks>()("hub/Webhooks", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sealer = yield* Sealer
    const audit = yield* AuditLog
    const allowPrivate = yield* WebhookAllowPrivate

    /** Returns the secret this once; only its sealed form is stored. */
    const create = (tenantId: TenantId, input: CreateWebhook) =>
      Effect.gen(function*() {
        const url = yield* checkWebhookUrl(input.url, allowPrivate)
        const tenant = yield* sql`SELECT 1 FROM tenants WHERE id = ${tenantId} FOR SHARE`
        if (tenant.length === 0) return yield* tenantNotFound(tenantId)
        const id = randomUUID()
        const secret = Redacted.make(newWebhookSecret())
        const events = [...new Set(input.events)]
        const [row] = yield* sql<WebhookRow>`
          INSERT INTO webhooks (id, tenant_id, url, events, secret_sealed)
          VALUES (${id}, ${tenantId}, ${url.href}, ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(events)}::jsonb)),
                  ${sealer.seal(secret, sealContext(SealedColumns.webhookSecret, id))})
          RETURNING id, tenant_id, url, events, created_at`
        yield* audit.record({ action: "webhook.create", resourceType: "webhook", resourceId: id, tenantId, details: { url: url.href, events } })
        return new CreatedWebhook({ webhook: toWebhook(row!), secret })
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    const list = (tenantId: TenantId) =>
      Effect.gen(function*() {
        const tenant = yield* sql`SELECT 1 FROM tenants WHERE id = ${tenantId}`
        if (tenant.length === 0) return yield* tenantNotFound(tenantId)
        const rows = yield* sql<WebhookRow>`
          SELECT id, tenant_id, url, events, created_at FROM webhooks WHERE tenant_id = ${tenantId} ORDER BY created_at, id`
        return rows.map(toWebhook)
      }).pipe(Effect.catchTag("SqlError", Effect.die))

    const get = (id: WebhookId) =>
      Effect.flatMap(
        sql<WebhookRow>`SELECT id, tenant_id, url, events, created_at FROM webhooks WHERE id = ${id}`.pipe(Effect.orDie),
        (rows) => rows[0] ? Effect.succeed(toWebhook(rows[0])) : Effect.fail(webhookNotFound(id))
      )

    /** Pending deliveries go with it: nothing more is sent to a deleted webhook. */
    const remove = (webhook: Webhook) =>
      Effect.gen(function*() {
        yield* sql`DELETE FROM webhooks WHERE id = ${webhook.id}`
        yield* audit.record({
          action: "webhook.delete",
          resourceType: "webhook",
          resourceId: webhook.id,
          tenantId: webhook.tenantId,
          details: { url: webhook.url }
        })
      }).pipe(sql.withTransaction, Effect.orDie)

    /** The delivery log, newest attempt first. */
    const attempts = (id: WebhookId, limit: number) =>
      sql<AttemptRow>`
        SELECT d.event_id, e.type, d.status, a.attempt, a.status_code, a.error, a.at
        FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN webhook_events e ON e.id = d.event_id
        WHERE d.webhook_id = ${id} ORDER BY a.id DESC LIMIT ${limit}`.pipe(
        Effect.map((rows) =>
          rows.map((r) =>
            new WebhookAttempt({
              eventId: r.event_id,
              event: r.type,
              deliveryStatus: r.status,
              attempt: r.attempt,
              statusCode: r.status_code,
              error: r.error,
              at: DateTime.unsafeFromDate(r.at)
            })
          )
        ),
        Effect.orDie
      )

    return { create, list, get, remove, attempts } as const
  })
}) {}
