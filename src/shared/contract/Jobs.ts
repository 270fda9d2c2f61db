import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { JobId, SnapshotId, SourceId, TenantId } from "./Ids.js"

export const JobType = Schema.Literal("backup", "delete_snapshot", "restore", "verify")
export const JobStatus = Schema.Literal("queued", "running", "succeeded", "failed", "cancelled")
export type JobStatus = typeof JobStatus.Type

export const SnapshotTag = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/)).annotations({
  message: () => "must be 1-63 characters of letters, digits, '.', '_', ':' or '-'"
})

/** Counters a worker reports while a job runs (at most once a second). */
export const JobProgress = Schema.Struct({
  files: Schema.Int,
  dirs: Schema.Int,
  symlinks: Schema.Int,
  bytesRead: Schema.Number,
  bytesWritten: Schema.Number
})
export type JobProgress = typeof JobProgress.Type

/** A file or directory the backup could not read; the backup went on without it. */
export const BackupWarning = Schema.Struct({ path: Schema.String, message: Schema.String })
export type BackupWarning = typeof BackupWarning.Type

export const BackupResult = Schema.Struct({
  snapshotId: SnapshotId,
  sizeBytes: Schema.Number,
  sha256: Schema.String,
  fileCount: Schema.Int,
  bytesIn: Schema.Number,
  warnings: Schema.Array(BackupWarning)
})
export type BackupResult = typeof BackupResult.Type

export const DeleteSnapshotResult = Schema.Struct({
  snapshotId: SnapshotId,
  /** false: the directory was already gone (deleting is idempotent). */
  removed: Schema.Boolean
})
export type DeleteSnapshotResult = typeof DeleteSnapshotResult.Type

export const VerifyResult = Schema.Struct({
  snapshotId: SnapshotId,
  intact: Schema.Boolean,
  /** What is wrong, in one sentence; null when intact. */
  problem: Schema.NullOr(Schema.String),
  /** Tar entries read to the end of the archive (0 when the check stopped early). */
  entries: Schema.Int,
  bytes: Schema.Number
})
export type VerifyResult = typeof VerifyResult.Type

export const RestoreArchiveResult = Schema.Struct({
  to: Schema.Literal("archive"),
  snapshotId: SnapshotId,
  /** `restore.tar`, relative to the owning worker's storage base. */
  locator: Schema.String,
  sizeBytes: Schema.Number,
  sha256: Schema.String,
  entries: Schema.Int,
  /** Entries refused (unsafe names) or left out. */
  warnings: Schema.Array(BackupWarning)
})

export const RestoreSftpResult = Schema.Struct({
  to: Schema.Literal("sftp"),
  snapshotId: SnapshotId,
  targetSourceId: SourceId,
  /** Absolute path on the target server. */
  targetPath: Schema.String,
  files: Schema.Int,
  dirs: Schema.Int,
  symlinks: Schema.Int,
  bytesWritten: Schema.Number,
  skipped: Schema.Int,
  warnings: Schema.Array(BackupWarning)
})

export const RestoreResult = Schema.Union(RestoreArchiveResult, RestoreSftpResult)
export type RestoreResult = typeof RestoreResult.Type

export const JobResult = Schema.Union(RestoreArchiveResult, RestoreSftpResult, VerifyResult, DeleteSnapshotResult, BackupResult)
export type JobResult = typeof JobResult.Type

/** What a restore job was asked to do. */
export const RestoreOptions = Schema.Struct({
  to: Schema.Literal("archive", "sftp"),
  includes: Schema.Array(Schema.String),
  targetSourceId: Schema.NullOr(SourceId),
  targetPath: Schema.NullOr(Schema.String),
  overwrite: Schema.Boolean
})
export type RestoreOptions = typeof RestoreOptions.Type

export class Job extends Schema.Class<Job>("Job")({
  id: JobId,
  type: JobType,
  status: JobStatus,
  tenantId: TenantId,
  sourceId: Schema.NullOr(SourceId),
  snapshotId: Schema.NullOr(SnapshotId),
  /** 1 for the first run; retries count up to maxAttempts. 0 while never claimed. */
  attempt: Schema.Int,
  maxAttempts: Schema.Int,
  workerId: Schema.NullOr(Schema.String),
  tags: Schema.Array(Schema.String),
  progress: Schema.NullOr(JobProgress),
  result: Schema.NullOr(JobResult),
  /** Restore jobs only: what was asked. */
  restore: Schema.NullOr(RestoreOptions),
  /** Why the last attempt failed, in one sentence (also set while a retry is queued). */
  error: Schema.NullOr(Schema.String),
  createdAt: Schema.DateTimeUtc,
  startedAt: Schema.NullOr(Schema.DateTimeUtc),
  finishedAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

export const EnqueueBackup = Schema.Struct({
  tags: Schema.optionalWith(Schema.Array(SnapshotTag).pipe(Schema.maxItems(32)), { default: () => [] })
})

export class JobsGroup extends HttpApiGroup.make("jobs")
  .add(
    HttpApiEndpoint.post("enqueueBackup", "/sources/:id/backups")
      .setPath(Schema.Struct({ id: SourceId }))
      .setPayload(EnqueueBackup)
      .addSuccess(Job, { status: 202 })
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(
    HttpApiEndpoint.get("get", "/jobs/:id")
      .setPath(Schema.Struct({ id: JobId }))
      .addSuccess(Job)
      .addError(NotFoundWire)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
