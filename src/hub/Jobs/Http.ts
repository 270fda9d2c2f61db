import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { requireTenantAccess } from "../Auth/Access.js"
import { sourceNotFound, Sources } from "../Sources/Sources.js"
import { jobNotFound, Jobs } from "./Jobs.js"

export const JobsHttpLive = HttpApiBuilder.group(XvaultApi, "jobs", (handlers) =>
  Effect.gen(function*() {
    const jobs = yield* Jobs
    const sources = yield* Sources
    return handlers
      .handle("enqueueBackup", ({ path, payload }) =>
        Effect.gen(function*() {
          const source = yield* sources.get(path.id)
          yield* requireTenantAccess(source.tenantId, () => sourceNotFound(path.id))
          return yield* jobs.enqueueBackup(source.id, source.tenantId, payload.tags)
        }))
      .handle("get", ({ path }) =>
        Effect.gen(function*() {
          const job = yield* Effect.flatMap(jobs.find(path.id), Option.match({
            onNone: () => Effect.fail(jobNotFound(path.id)),
            onSome: Effect.succeed
          }))
          yield* requireTenantAccess(job.tenantId, () => jobNotFound(path.id))
          return job
        }))
  }))
