import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { JobId, SnapshotId, SourceId, TenantId } from "./Ids.js"
import { BackupWarning, JobProgress } from "./Jobs.js"
import { HostKeyFingerprint, SourceCredentials } from "./Sources.js"

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
 * Everything a worker needs for one backup attempt. The credentials exist only here, in the
 * authenticated response to the worker holding the lease: never on Redis, never in a log.
 */
export const BackupClaim = Schema.Struct({
  type: Schema.Literal("backup"),
  jobId: JobId,
  attempt: Schema.Int,
  maxAttempts: Schema.Int,
  lease: Lease,
  snapshotId: SnapshotId,
  tenantId: TenantId,
  /** age recipients the artifact is encrypted to: the tenant's public key. */
  recipients: Schema.Array(Schema.String),
  tags: Schema.Array(Schema.String),
  source: Schema.Struct({
    id: SourceId,
    host: Schema.String,
    port: Schema.Int,
    username: Schema.String,
    credentials: SourceCredentials,
    paths: Schema.Array(Schema.String),
    excludes: Schema.Array(Schema.String),
    /** null: not yet known; the worker reports what it sees on first connection (trust on first use). */
    hostKey: Schema.NullOr(Schema.String)
  })
})
export type BackupClaim = typeof BackupClaim.Type

const LeaseRef = { leaseId: Schema.UUID }

export const ProgressReport = Schema.Struct({ ...LeaseRef, progress: JobProgress })
export const HostKeyReport = Schema.Struct({ ...LeaseRef, fingerprint: HostKeyFingerprint })

export const BackupCompletion = Schema.Struct({
  ...LeaseRef,
  locator: Schema.String,
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

/** Worker-only endpoints: a worker token may call these and nothing else. */
export class WorkersGroup extends HttpApiGroup.make("workers")
  .add(HttpApiEndpoint.post("heartbeat", "/worker/heartbeat").setPayload(Heartbeat).addSuccess(HeartbeatAck))
  .add(
    HttpApiEndpoint.post("claim", "/worker/jobs/:id/claim")
      .setPath(Schema.Struct({ id: JobId }))
      .addSuccess(BackupClaim)
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
  )
  .add(
    HttpApiEndpoint.post("complete", "/worker/jobs/:id/complete")
      .setPath(Schema.Struct({ id: JobId }))
      .setPayload(BackupCompletion)
      .addSuccess(Schema.Struct({ snapshotId: SnapshotId }))
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
  .middleware(Authentication)
  .prefix("/v1")
{}
