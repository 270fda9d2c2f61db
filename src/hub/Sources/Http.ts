import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { requireTenantAccess } from "../Auth/Access.js"
import { tenantNotFound } from "../Tenants/Tenants.js"
import { sourceNotFound, Sources } from "./Sources.js"

export const SourcesHttpLive = HttpApiBuilder.group(XvaultApi, "sources", (handlers) =>
  Effect.gen(function*() {
    const sources = yield* Sources
    return handlers
      .handle("create", ({ path, payload }) =>
        Effect.zipRight(
          requireTenantAccess(path.tenantId, () => tenantNotFound(path.tenantId)),
          sources.create(path.tenantId, payload)
        ))
      .handle("list", ({ path }) =>
        Effect.zipRight(
          requireTenantAccess(path.tenantId, () => tenantNotFound(path.tenantId)),
          sources.list(path.tenantId)
        ))
      .handle("get", ({ path }) =>
        Effect.gen(function*() {
          const source = yield* sources.get(path.id)
          yield* requireTenantAccess(source.tenantId, () => sourceNotFound(path.id))
          return source
        }))
  }))
