import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { requireAdmin, requireTenantAccess, tenantScope } from "../Auth/Access.js"
import { tenantNotFound, Tenants } from "./Tenants.js"

export const TenantsHttpLive = HttpApiBuilder.group(XvaultApi, "tenants", (handlers) =>
  Effect.gen(function*() {
    const tenants = yield* Tenants
    return handlers
      .handle("create", ({ payload }) => Effect.zipRight(requireAdmin, tenants.create(payload.name)))
      .handle("list", () => Effect.flatMap(tenantScope, tenants.list))
      .handle("get", ({ path }) =>
        Effect.zipRight(requireTenantAccess(path.id, () => tenantNotFound(path.id)), tenants.get(path.id)))
      .handle("exportKey", ({ path }) => Effect.zipRight(requireAdmin, tenants.exportSecretKey(path.id)))
  }))
