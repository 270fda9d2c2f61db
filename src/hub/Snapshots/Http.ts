import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { requireTenantAccess } from "../Auth/Access.js"
import { sourceNotFound, Sources } from "../Sources/Sources.js"
import { Snapshots } from "./Snapshots.js"

export const SnapshotsHttpLive = HttpApiBuilder.group(XvaultApi, "snapshots", (handlers) =>
  Effect.gen(function*() {
    const snapshots = yield* Snapshots
    const sources = yield* Sources
    return handlers.handle("listForSource", ({ path, urlParams }) =>
      Effect.gen(function*() {
        const source = yield* sources.get(path.id)
        yield* requireTenantAccess(source.tenantId, () => sourceNotFound(path.id))
        return yield* snapshots.listForSource(source.id, { limit: urlParams.limit ?? 50, before: urlParams.before })
      }))
  }))
