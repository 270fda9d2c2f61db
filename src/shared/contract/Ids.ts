import { Schema } from "effect"

export const TenantId = Schema.UUID.pipe(Schema.brand("TenantId")).annotations({
  message: () => "must be a tenant id (a UUID)"
})
export type TenantId = typeof TenantId.Type

export const SourceId = Schema.UUID.pipe(Schema.brand("SourceId")).annotations({
  message: () => "must be a source id (a UUID)"
})
export type SourceId = typeof SourceId.Type

/** Operator-chosen, stable across restarts: it names the volume that holds the worker's snapshots. */
export const WorkerId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/),
  Schema.brand("WorkerId")
).annotations({ message: () => "must be 1-63 characters of letters, digits, '.', '_' or '-'" })
export type WorkerId = typeof WorkerId.Type

export const JobId = Schema.UUID.pipe(Schema.brand("JobId")).annotations({
  message: () => "must be a job id (a UUID)"
})
export type JobId = typeof JobId.Type

export const SnapshotId = Schema.UUID.pipe(Schema.brand("SnapshotId")).annotations({
  message: () => "must be a snapshot id (a UUID)"
})
export type SnapshotId = typeof SnapshotId.Type
