import { DateTime } from "effect"
import type { JobId, SnapshotId, SourceId, TenantId } from "../../shared/contract/Ids.js"
import { Snapshot } from "../../shared/contract/Snapshots.js"

export interface SnapshotRow {
  readonly id: string
  readonly tenant_id: string
  readonly source_id: string
  readonly job_id: string
  readonly worker_id: string
  readonly locator: string
  readonly size_bytes: string
  readonly sha256: string
  readonly file_count: string
  readonly dir_count: string
  readonly symlink_count: string
  readonly bytes_in: string
  readonly tags: ReadonlyArray<string>
  readonly status: Snapshot["status"]
  readonly created_at: Date
  readonly verified_at: Date | null
  readonly verify_error: string | null
  readonly deleted_at: Date | null
}

export const snapshotColumns = `id, tenant_id, source_id, job_id, worker_id, locator, size_bytes, sha256, file_count,
  dir_count, symlink_count, bytes_in, tags, status, created_at, verified_at, verify_error, deleted_at`

const dateOrNull = (d: Date | null) => (d === null ? null : DateTime.unsafeFromDate(d))

export const toSnapshot = (row: SnapshotRow) =>
  new Snapshot({
    id: row.id as SnapshotId,
    tenantId: row.tenant_id as TenantId,
    sourceId: row.source_id as SourceId,
    jobId: row.job_id as JobId,
    workerId: row.worker_id,
    storageBackend: "local_fs",
    locator: row.locator,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    fileCount: Number(row.file_count),
    dirCount: Number(row.dir_count),
    symlinkCount: Number(row.symlink_count),
    bytesIn: Number(row.bytes_in),
    tags: row.tags,
    status: row.status,
    createdAt: DateTime.unsafeFromDate(row.created_at),
    verifiedAt: dateOrNull(row.verified_at),
    verifyError: row.verify_error,
    deletedAt: dateOrNull(row.deleted_at)
  })
