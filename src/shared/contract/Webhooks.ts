import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { TenantId } from "./Ids.js"
import { PageLimit } from "./Paging.js"

export const WebhookId = Schema.UUID.pipe(Schema.brand("WebhookId")).annotations({
  message: () => "must be a webhook id (a UUID)"
})
export type WebhookId = typeof WebhookId.Type

export const WebhookEventTypes = ["backup.failed", "backup.succeeded", "backup.missed", "snapshot.corrupt"] as const
export const WebhookEventType = Schema.Literal(...WebhookEventTypes).annotations({
  message: () => ({ message: `must be one of ${WebhookEventTypes.join(", ")}`, override: true })
})
export type WebhookEventType = typeof WebhookEventType.Type

/** Syntax only; the Hub also resolves the host and refuses private addresses. */
export const WebhookUrl = Schema.String.pipe(
  Schema.maxLength(2048),
  Schema.filter((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol))
).annotations({ message: () => "must be an absolute http:// or https:// URL" })

export const CreateWebhook = Schema.Struct({
  url: WebhookUrl,
  events: Schema.Array(WebhookEventType).pipe(Schema.minItems(1), Schema.maxItems(WebhookEventTypes.length))
})
export type CreateWebhook = typeof CreateWebhook.Type

export class Webhook extends Schema.Class<Webhook>("Webhook")({
  id: WebhookId,
  tenantId: TenantId,
  url: Schema.String,
  events: Schema.Array(WebhookEventType),
  createdAt: Schema.DateTimeUtc
}) {}

/** Only the create response carries the signing secret; it is never shown again. */
export class CreatedWebhook extends Schema.Class<CreatedWebhook>("CreatedWebhook")({
  webhook: Webhook,
  secret: Schema.Redacted(Schema.String)
}) {}

/** One attempt to deliver one event to one webhook: the delivery log. */
export class WebhookAttempt extends Schema.Class<WebhookAttempt>("WebhookAttempt")({
  eventId: Schema.UUID,
  event: Schema.String,
  /** pending (retrying), delivered (a 2xx answer) or dead (attempts used up). */
  deliveryStatus: Schema.Literal("pending", "delivered", "dead"),
  attempt: Schema.Int,
  /** The receiver's HTTP status; null when there was no answer (refused, timeout, DNS). */
  statusCode: Schema.NullOr(Schema.Int),
  error: Schema.NullOr(Schema.String),
  at: Schema.DateTimeUtc
}) {}

export const DeliveriesQuery = Schema.Struct({ limit: Schema.optional(PageLimit) })

export class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.post("create", "/tenants/:tenantId/webhooks")
      .setPath(Schema.Struct({ tenantId: TenantId }))
      .setPayload(CreateWebhook)
      .addSuccess(CreatedWebhook, { status: 201 })
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.get("list", "/tenants/:tenantId/webhooks")
      .setPath(Schema.Struct({ tenantId: TenantId }))
      .addSuccess(Schema.Array(Webhook))
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.del("delete", "/webhooks/:id")
      .setPath(Schema.Struct({ id: WebhookId }))
      .addSuccess(Schema.Void, { status: 204 })
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.get("deliveries", "/webhooks/:id/deliveries")
      .setPath(Schema.Struct({ id: WebhookId }))
      .setUrlParams(DeliveriesQuery)
      .addSuccess(Schema.Array(WebhookAttempt))
      .addError(NotFoundWire)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
