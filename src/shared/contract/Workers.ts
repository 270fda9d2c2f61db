import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire, wire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { JobId, SnapshotId, SourceId, TenantId } from "./Ids.js"
import { BackupWarning, DeleteSnapshotResult, JobProgress, RestoreResult, VerifyResult } from "./Jobs.js"
import { HostKeyFingerprint } from "./SftpSource.js"
import { SourceKind, SourceSpec } from "./Sources.js"

export const Heartbeat = Schema.Struct({
  version: Schema.String,
  /** Free bytes on the worker's storage volume. */
  freeBytes: Schema.Number
})

export const HeartbeatAck = Schema.Struct({
  /** The worker id the token was issued for; a worker configured with another id refuses to start. */
  workerId: Schema.String
})

/** Every report after a claim carries the lease; one that is no longer current is refused (409). */
export const Lease = Schema.Struct({
  id: Schema.UUID,
  expiresAt: Schema.DateTimeUtc
})

/**
 * A source of a kind this build does not know: a newer Hub may hand one to an older worker.
 * It decodes (only its kind), so the worker can fail the job with a clear error instead of
 * refusing the whole claim. Known kinds never fall through to it.
 */
const UnknownSourceSpec = Schema.Struct({
  kind: Schema.String.pipe(Schema.filter((kind) => !(SourceKind.literals as ReadonlyArray<string>).includes(kind)))
})

/** Where a claimed job's source is and how to reach it: for backups, and for restores written back to a source. */
export const ClaimedSource = Schema.Struct({
  id: SourceId,
  spec: Schema.Union(SourceSpec, UnknownSourceSpec)
})
export type ClaimedSource = typeof ClaimedSource.Type

const ClaimBase = {
  jobId: JobId,
  attempt: Schema.Int,
  maxAttempts: Schema.Int,
  lease: Lease
}

/**
 * Everything a worker needs for one backup attempt. The credentials exist only here, in the
 * authenticated response to the worker holding the lease: never on Redis, never in a log.
 */
export const BackupClaim = Schema.Struct({
  type: Schema.Literal("backup"),
  ...ClaimBase,
  snapshotId: SnapshotId,
  tenantId: TenantId,
  /** age recipients the artifact is encrypted to: the tenant's public key. */
  recipients: Schema.Array(Schema.String),
  tags: Schema.Array(Schema.String),
  source: Schema.Struct({
    ...ClaimedSource.fields,
    paths: Schema.Array(Schema.String),
    excludes: Schema.Array(Schema.String)
  })
})
export type BackupClaim = typeof BackupClaim.Type

/** A snapshot as its owning worker needs to find and check it. */
export const SnapshotOnWorker = Schema.Struct({
  id: SnapshotId,
  tenantId: TenantId,
  sourceId: SourceId,
  /** Relative to the worker's storage base; the worker refuses one that resolves outside it. */
  locator: Schema.String,
  sha256: Schema.String,
  sizeBytes: Schema.Number
})
export type SnapshotOnWorker = typeof SnapshotOnWorker.Type

/**
 * The snapshot's own 16-byte age file key (base64), unwrapped by the Hub: it opens this one
 * artifact and nothing else. A worker never receives a tenant's secret key.
 */
export const FileKey = Schema.Redacted(Schema.String)

export const DeleteSnapshotClaim = Schema.Struct({
  type: Schema.Literal("delete_snapshot"),
  ...ClaimBase,
  snapshot: SnapshotOnWorker
})
export type DeleteSnapshotClaim = typeof DeleteSnapshotClaim.Type

export const VerifyClaim = Schema.Struct({
  type: Schema.Literal("verify"),
  ...ClaimBase,
  snapshot: SnapshotOnWorker,
  fileKey: FileKey
})
export type VerifyClaim = typeof VerifyClaim.Type

export const RestoreTarget = Schema.Union(
  Schema.TaggedStruct("archive", {}),
  /** Files written back to a source (the API's `to: sftp`), whatever its kind. */
  Schema.TaggedStruct("sftp", {
    source: ClaimedSource,
    /** null: a new directory `xvault-restore-<snapshot id>` in the login's home. */
    path: Schema.NullOr(Schema.String),
    overwrite: Schema.Boolean
  })
)
export type RestoreTarget = typeof RestoreTarget.Type

export const RestoreClaim = Schema.Struct({
  type: Schema.Literal("restore"),
  ...ClaimBase,
  snapshot: SnapshotOnWorker,
  fileKey: FileKey,
  includes: Schema.Array(Schema.String),
  target: RestoreTarget
})
export type RestoreClaim = typeof RestoreClaim.Type

export const JobClaim = Schema.Union(BackupClaim, DeleteSnapshotClaim, VerifyClaim, RestoreClaim)
export type JobClaim = typeof JobClaim.Type

const LeaseRef = { leaseId: Schema.UUID }

export const ProgressReport = Schema.Struct({ ...LeaseRef, progress: JobProgress })
export const HostKeyReport = Schema.Struct({ ...LeaseRef, fingerprint: HostKeyFingerprint })

/** Where a worker keeps its artifacts (its ArtifactStore): the Hub records it with each snapshot. */
export const StorageBackend = Schema.Literal("local_fs")
export type StorageBackend = typeof StorageBackend.Type

export const BackupCompletion = Schema.Struct({
  type: Schema.Literal("backup"),
  ...LeaseRef,
  locator: Schema.String,
  /** Absent: local_fs (workers older than the field had nothing else). */
  storageBackend: Schema.optional(StorageBackend),
  sizeBytes: Schema.Number,
  sha256: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  fileCount: Schema.Int,
  dirCount: Schema.Int,
  symlinkCount: Schema.Int,
  bytesIn: Schema.Number,
  /** The artifact's age header, so the Hub can later unwrap this snapshot's file key alone. */
  ageHeader: Schema.String,
  manifest: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  warnings: Schema.Array(BackupWarning)
})
export type BackupCompletion = typeof BackupCompletion.Type

export const DeleteSnapshotCompletion = Schema.Struct({
  type: Schema.Literal("delete_snapshot"),
  ...LeaseRef,
  result: DeleteSnapshotResult
})

export const VerifyCompletion = Schema.Struct({
  type: Schema.Literal("verify"),
  ...LeaseRef,
  result: VerifyResult
})

export const RestoreCompletion = Schema.Struct({
  type: Schema.Literal("restore"),
  ...LeaseRef,
  result: RestoreResult
})

export const JobCompletion = Schema.Union(BackupCompletion, DeleteSnapshotCompletion, VerifyCompletion, RestoreCompletion)
export type JobCompletion = typeof JobCompletion.Type

export const JobFailure = Schema.Struct({
  ...LeaseRef,
  /** One sentence: what went wrong, never a secret. */
  error: Schema.String.pipe(Schema.maxLength(2000)),
  /** Transient (network, disk): the Hub retries with backoff while attempts remain. */
  retryable: Schema.Boolean
})

export const FailureOutcome = Schema.Struct({
  /** queued: a retry is scheduled; failed: no attempts left or not retryable. */
  status: Schema.Literal("queued", "failed")
})

/**
 * The worker saw another host key than the one the Hub has pinned for the source (409, code
 * host_key_mismatch): a refusal about the source, not about the lease, so the attempt fails
 * at once instead of being abandoned as a lost lease.
 */
export class HostKeyMismatch extends Schema.TaggedError<HostKeyMismatch>()("HostKeyMismatch", { message: Schema.String }) {}
export const HostKeyMismatchWire = wire(HostKeyMismatch, "host_key_mismatch", 409)

/** A snapshot directory on a worker's volume; its path says whose snapshot it claims to be. */
export const StoredSnapshotDir = Schema.Struct({ tenantId: TenantId, sourceId: SourceId, snapshotId: SnapshotId })
export type StoredSnapshotDir = typeof StoredSnapshotDir.Type

/** Most directories in one reconcile request: keeps a request well under the Hub's body limit. */
export const RECONCILE_BATCH = 1000

export const ReconcileReport = Schema.Struct({
  snapshots: Schema.Array(StoredSnapshotDir).pipe(Schema.maxItems(RECONCILE_BATCH))
})

export const ReconcileVerdict = Schema.Struct({
  /**
   * Safe to remove: no job is queued or running on the snapshot, and either it has no row while
   * its backup job ended (a worker died after the rename, before the Hub recorded it), or its
   * row is `deleted`.
   */
  remove: Schema.Array(SnapshotId),
  /** Neither a snapshot row nor any job names it: not this database's to judge, so it is kept. */
  unknown: Schema.Array(SnapshotId)
})
export type ReconcileVerdict = typeof ReconcileVerdict.Type

/** Worker-only endpoints: a worker token may call these and nothing else. */
export class WorkersGroup extends HttpApiGroup.make("workers")
  .add(HttpApiEndpoint.post("heartbeat", "/worker/heartbeat").setPayload(Heartbeat).addSuccess(HeartbeatAck))
  .add(
    HttpApiEndpoint.post("claim", "/worker/jobs/:id/claim")
      .setPath(Schema.Struct({ id: JobId }))
      .addSuccess(JobClaim)
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(
    HttpApiEndpoint.post("progress", "/worker/jobs/:id/progress")
      .setPath(Schema.Struct({ id: JobId }))
      .setPayload(ProgressReport)
      .addSuccess(Schema.Struct({ leaseExpiresAt: Schema.DateTimeUtc }))
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(
    HttpApiEndpoint.post("hostKey", "/worker/jobs/:id/host-key")
      .setPath(Schema.Struct({ id: JobId }))
      .setPayload(HostKeyReport)
      .addSuccess(Schema.Void, { status: 204 })
      .addError(NotFoundWire)
      .addError(ConflictWire)
      .addError(HostKeyMismatchWire)
  )
  .add(
    HttpApiEndpoint.post("complete", "/worker/jobs/:id/complete")
      .setPath(Schema.Struct({ id: JobId }))
      .setPayload(JobCompletion)
      .addSuccess(Schema.Struct({ status: Schema.Literal("succeeded") }))
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(
    HttpApiEndpoint.post("fail", "/worker/jobs/:id/fail")
      .setPath(Schema.Struct({ id: JobId }))
      .setPayload(JobFailure)
      .addSuccess(FailureOutcome)
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(
    HttpApiEndpoint.post("reconcile", "/worker/reconcile")
      .setPayload(ReconcileReport)
      .addSuccess(ReconcileVerdict)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
