import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import type { SnapshotId } from "../../shared/contract/Ids.js"
import { requireTenantAccess } from "../Auth/Access.js"
import { sourceNotFound, Sources } from "../Sources/Sources.js"
import { SnapshotJobs } from "./SnapshotJobs.js"
import { snapshotNotFound, Snapshots } from "./Snapshots.js"

/** The snapshot, if the caller may see it; another tenant's looks exactly like a missing one. */
export const accessibleSnapshot = (id: SnapshotId) =>
  Effect.gen(function*() {
    const snapshot = yield* Effect.flatMap(Snapshots, (s) => s.get(id))
    yield* requireTenantAccess(snapshot.tenantId, () => snapshotNotFound(id))
    return snapshot
  })

export const SnapshotsHttpLive = HttpApiBuilder.group(XvaultApi, "snapshots", (handlers) =>
  Effect.gen(function*() {
    const snapshots = yield* Snapshots
    const snapshotJobs = yield* SnapshotJobs
    const sources = yield* Sources
    return handlers
      .handle("listForSource", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const source = yield* sources.get(path.id)
          yield* requireTenantAccess(source.tenantId, () => sourceNotFound(path.id))
          return yield* snapshots.listForSource(source.id, {
            limit: urlParams.limit ?? 50,
            before: urlParams.before,
            includeDeleted: urlParams.includeDeleted
          })
        }))
      .handle("get", ({ path }) => accessibleSnapshot(path.id).pipe(Effect.provideService(Snapshots, snapshots)))
      .handle("verify", ({ path }) =>
        accessibleSnapshot(path.id).pipe(Effect.provideService(Snapshots, snapshots), Effect.flatMap(snapshotJobs.verify)))
  }))
