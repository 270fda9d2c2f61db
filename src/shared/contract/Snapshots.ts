import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { JobId, SnapshotId, SourceId, TenantId } from "./Ids.js"
import { Job } from "./Jobs.js"
import { PageLimit } from "./Paging.js"

export const SnapshotStatus = Schema.Literal("available", "corrupt", "deleting", "deleted")

export class Snapshot extends Schema.Class<Snapshot>("Snapshot")({
  id: SnapshotId,
  tenantId: TenantId,
  sourceId: SourceId,
  jobId: JobId,
  /** The worker whose disk holds the artifact; only it can delete, restore or verify it. */
  workerId: Schema.String,
  storageBackend: Schema.Literal("local_fs"),
  /** Path of the artifact relative to that worker's storage base. */
  locator: Schema.String,
  sizeBytes: Schema.Number,
  sha256: Schema.String,
  fileCount: Schema.Number,
  dirCount: Schema.Number,
  symlinkCount: Schema.Number,
  bytesIn: Schema.Number,
  tags: Schema.Array(Schema.String),
  status: SnapshotStatus,
  createdAt: Schema.DateTimeUtc,
  /** When the last verify finished, and what it found wrong (null: intact, or never verified). */
  verifiedAt: Schema.NullOr(Schema.DateTimeUtc),
  verifyError: Schema.NullOr(Schema.String),
  /** Set once the owning worker has deleted the artifact; the row stays for audit. */
  deletedAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

export const SnapshotQuery = Schema.Struct({
  /** Default 50. */
  limit: Schema.optional(PageLimit),
  /** Cursor: only snapshots older than this one (the previous page's nextBefore). */
  before: Schema.optional(SnapshotId),
  /** Also list deleted snapshots (kept for audit). */
  includeDeleted: Schema.optional(Schema.BooleanFromString)
})

export const SnapshotPage = Schema.Struct({
  snapshots: Schema.Array(Snapshot),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: Schema.NullOr(SnapshotId)
})

export class SnapshotsGroup extends HttpApiGroup.make("snapshots")
  .add(
    HttpApiEndpoint.get("listForSource", "/sources/:id/snapshots")
      .setPath(Schema.Struct({ id: SourceId }))
      .setUrlParams(SnapshotQuery)
      .addSuccess(SnapshotPage)
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.get("get", "/snapshots/:id")
      .setPath(Schema.Struct({ id: SnapshotId }))
      .addSuccess(Snapshot)
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.post("verify", "/snapshots/:id/verify")
      .setPath(Schema.Struct({ id: SnapshotId }))
      .addSuccess(Job, { status: 202 })
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
