import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { JobId, SnapshotId, SourceId } from "./Ids.js"
import { Job } from "./Jobs.js"
import { PageLimit } from "./Paging.js"

const IncludeGlob = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(4096), Schema.pattern(/^[^\0]*$/)).annotations({
  message: () => ({ message: "must be a glob pattern of 1-4096 characters", override: true })
})

const TargetPath = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(4095), Schema.pattern(/^[^\0]*$/)).annotations({
  message: () => ({ message: "must be a path of 1-4095 characters", override: true })
})

export const CreateRestore = Schema.Struct({
  /** archive (default): restore.tar on the owning worker; sftp: files written back to a source. */
  to: Schema.optionalWith(Schema.Literal("archive", "sftp"), { default: () => "archive" as const }),
  /** sftp only: another source of the same tenant (default: the snapshot's own source). */
  targetSourceId: Schema.optional(SourceId),
  /** sftp only: where to write (default: a new directory `xvault-restore-<snapshot id>` in the login's home). */
  targetPath: Schema.optional(TargetPath),
  /** Only entries matching one of these globs (a matching directory brings its whole subtree). */
  includes: Schema.optionalWith(Schema.Array(IncludeGlob).pipe(Schema.maxItems(100)), { default: () => [] }),
  /** sftp only: replace existing files (never through a symlink). */
  overwrite: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
export type CreateRestore = typeof CreateRestore.Type

export const RestoreQuery = Schema.Struct({
  sourceId: Schema.optional(SourceId),
  /** Default 50. */
  limit: Schema.optional(PageLimit),
  /** Cursor: only restores older than this one (the previous page's nextBefore). */
  before: Schema.optional(JobId)
})

export const RestorePage = Schema.Struct({
  restores: Schema.Array(Job),
  nextBefore: Schema.NullOr(JobId)
})

/** A restore is a job (type `restore`) on the worker that holds the snapshot; its id is the restore id. */
export class RestoresGroup extends HttpApiGroup.make("restores")
  .add(
    HttpApiEndpoint.post("create", "/snapshots/:id/restores")
      .setPath(Schema.Struct({ id: SnapshotId }))
      .setPayload(CreateRestore)
      .addSuccess(Job, { status: 202 })
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(HttpApiEndpoint.get("list", "/restores").setUrlParams(RestoreQuery).addSuccess(RestorePage))
  .add(
    HttpApiEndpoint.get("get", "/restores/:id")
      .setPath(Schema.Struct({ id: JobId }))
      .addSuccess(Job)
      .addError(NotFoundWire)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
