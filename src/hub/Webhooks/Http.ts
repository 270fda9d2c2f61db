import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import type { WebhookId } from "../../shared/contract/Webhooks.js"
import { requireTenantAccess } from "../Auth/Access.js"
import { tenantNotFound } from "../Tenants/Tenants.js"
import { webhookNotFound, Webhooks } from "./Webhooks.js"

export const WebhooksHttpLive = HttpApiBuilder.group(XvaultApi, "webhooks", (handlers) =>
  Effect.gen(function*() {
    const webhooks = yield* Webhooks
    const accessible = (id: WebhookId) =>
      Effect.tap(webhooks.get(id), (webhook) => requireTenantAccess(webhook.tenantId, () => webhookNotFound(id)))
    return handlers
      .handle("create", ({ path, payload }) =>
        Effect.zipRight(requireTenantAccess(path.tenantId, () => tenantNotFound(path.tenantId)), webhooks.create(path.tenantId, payload)))
      .handle("list", ({ path }) =>
        Effect.zipRight(requireTenantAccess(path.tenantId, () => tenantNotFound(path.tenantId)), webhooks.list(path.tenantId)))
      .handle("delete", ({ path }) => Effect.flatMap(accessible(path.id), webhooks.remove))
      .handle("deliveries", ({ path, urlParams }) =>
        Effect.zipRight(accessible(path.id), webhooks.attempts(path.id, urlParams.limit ?? 100)))
  }))
