import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { requireTenantAccess, tenantScope } from "../Auth/Access.js"
import { Retention } from "../Retention/Retention.js"
import { sourceNotFound, Sources } from "../Sources/Sources.js"
import type { SourceId } from "../../shared/contract/Ids.js"
import type { ScheduleId } from "../../shared/contract/Schedules.js"
import { scheduleNotFound, Schedules } from "./Schedules.js"

export const SchedulesHttpLive = HttpApiBuilder.group(XvaultApi, "schedules", (handlers) =>
  Effect.gen(function*() {
    const schedules = yield* Schedules
    const sources = yield* Sources
    const retention = yield* Retention

    const accessibleSource = (id: SourceId) =>
      Effect.tap(sources.get(id), (source) => requireTenantAccess(source.tenantId, () => sourceNotFound(id)))
    const accessibleSchedule = (id: ScheduleId) =>
      Effect.tap(schedules.get(id), (schedule) => requireTenantAccess(schedule.tenantId, () => scheduleNotFound(id)))

    return handlers
      .handle("create", ({ payload }) =>
        Effect.flatMap(accessibleSource(payload.sourceId), (source) => schedules.create(payload, source.tenantId)))
      .handle("list", ({ urlParams }) =>
        Effect.flatMap(tenantScope, (tenantId) => schedules.list({ tenantId, sourceId: urlParams.sourceId })))
      .handle("get", ({ path }) => accessibleSchedule(path.id))
      .handle("update", ({ path, payload }) => Effect.zipRight(accessibleSchedule(path.id), schedules.update(path.id, payload)))
      .handle("delete", ({ path }) => Effect.zipRight(accessibleSchedule(path.id), schedules.remove(path.id)))
      .handle("previewRetention", ({ path, payload }) =>
        Effect.zipRight(accessibleSource(path.id), retention.preview(path.id, payload)))
      .handle("applyRetention", ({ path }) =>
        Effect.zipRight(accessibleSource(path.id), retention.apply(path.id, "retention apply")))
  }))
