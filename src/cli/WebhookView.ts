import { DateTime } from "effect"
import type { Webhook, WebhookAttempt } from "../shared/contract/Webhooks.js"
import { WebhookId } from "../shared/contract/Webhooks.js"
import { parseId } from "./InputInvalid.js"

export const webhookIdFlag = (value: string) => parseId(WebhookId, value, "webhook id", "--webhook-id")

/** The stable --json shape of a webhook (its secret appears only in `webhook create`'s output). */
export const webhookJson = (w: Webhook) => ({
  id: w.id,
  tenantId: w.tenantId,
  url: w.url,
  events: w.events,
  createdAt: DateTime.formatIso(w.createdAt)
})

/** The stable --json shape of one delivery attempt. */
export const webhookAttemptJson = (a: WebhookAttempt) => ({
  eventId: a.eventId,
  event: a.event,
  deliveryStatus: a.deliveryStatus,
  attempt: a.attempt,
  statusCode: a.statusCode,
  error: a.error,
  at: DateTime.formatIso(a.at)
})
