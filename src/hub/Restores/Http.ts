import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { NotFound } from "../../shared/contract/ApiError.js"
import { requireTenantAccess, tenantScope } from "../Auth/Access.js"
import { Jobs } from "../Jobs/Jobs.js"
import { accessibleSnapshot } from "../Snapshots/Http.js"
import { SnapshotJobs } from "../Snapshots/SnapshotJobs.js"
import { Snapshots } from "../Snapshots/Snapshots.js"
import { Sources } from "../Sources/Sources.js"
import { Restores } from "./Restores.js"

const restoreNotFound = (id: string) => new NotFound({ message: `restore ${id} not found` })

export const RestoresHttpLive = HttpApiBuilder.group(XvaultApi, "restores", (handlers) =>
  Effect.gen(function*() {
    const snapshots = yield* Snapshots
    const snapshotJobs = yield* SnapshotJobs
    const sources = yield* Sources
    const restores = yield* Restores
    const jobs = yield* Jobs
    return handlers
      .handle("create", ({ path, payload }) =>
        Effect.gen(function*() {
          const snapshot = yield* accessibleSnapshot(path.id).pipe(Effect.provideService(Snapshots, snapshots))
          return yield* snapshotJobs.restore(snapshot, payload, (id) => Effect.map(sources.get(id), (s) => s.tenantId))
        }))
      .handle("list", ({ urlParams }) =>
        Effect.flatMap(tenantScope, (tenantId) =>
          restores.list({ tenantId, sourceId: urlParams.sourceId, limit: urlParams.limit ?? 50, before: urlParams.before })))
      .handle("get", ({ path }) =>
        Effect.gen(function*() {
          const job = yield* Effect.flatMap(jobs.find(path.id), Option.match({
            onNone: () => Effect.fail(restoreNotFound(path.id)),
            onSome: (j) => (j.type === "restore" ? Effect.succeed(j) : Effect.fail(restoreNotFound(path.id)))
          }))
          yield* requireTenantAccess(job.tenantId, () => restoreNotFound(path.id))
          return job
        }))
  }))
