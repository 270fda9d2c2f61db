import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { RetentionPolicy } from "../retention/Policy.js"
import { CronExpression } from "../schedule/Cron.js"
import { VerifyInterval } from "../schedule/Interval.js"
import { TimeZone } from "../schedule/Timezone.js"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { JobId, SnapshotId, SourceId, TenantId } from "./Ids.js"

export const ScheduleId = Schema.UUID.pipe(Schema.brand("ScheduleId")).annotations({
  message: () => "must be a schedule id (a UUID)"
})
export type ScheduleId = typeof ScheduleId.Type

export class Schedule extends Schema.Class<Schedule>("Schedule")({
  id: ScheduleId,
  tenantId: TenantId,
  sourceId: SourceId,
  /** 5 fields: minute hour day-of-month month day-of-week, in `timezone`. */
  cron: Schema.String,
  timezone: Schema.String,
  enabled: Schema.Boolean,
  /** restic-style keep policy; {} keeps everything. Applied after every successful backup. */
  retention: RetentionPolicy,
  /** How often each available snapshot is verified ("7d"); null: only when asked. */
  verifyEvery: Schema.NullOr(Schema.String),
  /** The next time the Hub enqueues a backup; null while disabled. */
  nextDueAt: Schema.NullOr(Schema.DateTimeUtc),
  lastEnqueuedAt: Schema.NullOr(Schema.DateTimeUtc),
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}

export const CreateSchedule = Schema.Struct({
  sourceId: SourceId,
  cron: CronExpression,
  timezone: Schema.optionalWith(TimeZone, { default: () => "UTC" }),
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  retention: Schema.optionalWith(RetentionPolicy, { default: () => ({}) }),
  verifyEvery: Schema.optionalWith(Schema.NullOr(VerifyInterval), { default: () => null })
})
export type CreateSchedule = typeof CreateSchedule.Type

/** Only the fields given change; `retention` replaces the whole policy. */
export const UpdateSchedule = Schema.Struct({
  cron: Schema.optional(CronExpression),
  timezone: Schema.optional(TimeZone),
  enabled: Schema.optional(Schema.Boolean),
  retention: Schema.optional(RetentionPolicy),
  /** null stops scheduled verification. */
  verifyEvery: Schema.optional(Schema.NullOr(VerifyInterval))
})
export type UpdateSchedule = typeof UpdateSchedule.Type

export const ScheduleQuery = Schema.Struct({ sourceId: Schema.optional(SourceId) })

export const RetentionPreviewRequest = Schema.Struct({
  /** Default: the policy of the source's schedule. */
  policy: Schema.optional(RetentionPolicy),
  /** Default: the schedule's time zone, or UTC. */
  timezone: Schema.optional(TimeZone)
})

export const RetentionPlan = Schema.Struct({
  policy: RetentionPolicy,
  timezone: Schema.String,
  /** Newest first, each with restic-style reasons. Only `available` snapshots are considered. */
  keep: Schema.Array(Schema.Struct({ id: SnapshotId, createdAt: Schema.DateTimeUtc, reasons: Schema.Array(Schema.String) })),
  /** apply only: `deleteJobId` is the delete_snapshot job queued on the snapshot's worker (null in a preview). */
  remove: Schema.Array(Schema.Struct({ id: SnapshotId, createdAt: Schema.DateTimeUtc, deleteJobId: Schema.NullOr(JobId) })),
  /** apply only: the delete_snapshot jobs queued on the owning workers. */
  deleteJobs: Schema.Array(JobId)
})
export type RetentionPlan = typeof RetentionPlan.Type

export class SchedulesGroup extends HttpApiGroup.make("schedules")
  .add(
    HttpApiEndpoint.post("create", "/schedules")
      .setPayload(CreateSchedule)
      .addSuccess(Schedule, { status: 201 })
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(HttpApiEndpoint.get("list", "/schedules").setUrlParams(ScheduleQuery).addSuccess(Schema.Array(Schedule)))
  .add(
    HttpApiEndpoint.get("get", "/schedules/:id")
      .setPath(Schema.Struct({ id: ScheduleId }))
      .addSuccess(Schedule)
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.patch("update", "/schedules/:id")
      .setPath(Schema.Struct({ id: ScheduleId }))
      .setPayload(UpdateSchedule)
      .addSuccess(Schedule)
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.del("delete", "/schedules/:id")
      .setPath(Schema.Struct({ id: ScheduleId }))
      .addSuccess(Schema.Void, { status: 204 })
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.post("previewRetention", "/sources/:id/retention/preview")
      .setPath(Schema.Struct({ id: SourceId }))
      .setPayload(RetentionPreviewRequest)
      .addSuccess(RetentionPlan)
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.post("applyRetention", "/sources/:id/retention/apply")
      .setPath(Schema.Struct({ id: SourceId }))
      .addSuccess(RetentionPlan)
      .addError(NotFoundWire)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
