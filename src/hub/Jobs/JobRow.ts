import { DateTime } from "effect"
import type { JobId, SnapshotId, SourceId, TenantId } from "../../shared/contract/Ids.js"
import { Job, type JobProgress, type JobResult, type JobStatus, type RestoreOptions } from "../../shared/contract/Jobs.js"

/** What a job was asked to do: ids and options only, never secrets. */
export interface JobParams {
  readonly tags?: ReadonlyArray<string>
  readonly to?: RestoreOptions["to"]
  readonly includes?: ReadonlyArray<string>
  readonly targetSourceId?: string | null
  readonly targetPath?: string | null
  readonly overwrite?: boolean
}

export interface JobRow {
  readonly id: string
  readonly type: Job["type"]
  readonly status: JobStatus
  readonly tenant_id: string
  readonly source_id: string | null
  readonly snapshot_id: string | null
  readonly target_worker_id: string | null
  readonly worker_id: string | null
  readonly attempt: number
  readonly max_attempts: number
  readonly lease_id: string | null
  readonly params: JobParams
  readonly progress: JobProgress | null
  readonly result: JobResult | null
  readonly error: string | null
  readonly created_at: Date
  readonly started_at: Date | null
  readonly finished_at: Date | null
}

export const jobColumns = `id, type, status, tenant_id, source_id, snapshot_id, target_worker_id, worker_id, attempt,
  max_attempts, lease_id, params, progress, result, error, created_at, started_at, finished_at`

const dateOrNull = (d: Date | null) => (d === null ? null : DateTime.unsafeFromDate(d))

export const toJob = (row: JobRow) =>
  new Job({
    id: row.id as JobId,
    type: row.type,
    status: row.status,
    tenantId: row.tenant_id as TenantId,
    sourceId: row.source_id as SourceId | null,
    snapshotId: row.snapshot_id as SnapshotId | null,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    workerId: row.worker_id,
    tags: row.params.tags ?? [],
    progress: row.progress,
    result: row.result,
    restore: row.type === "restore"
      ? {
        to: row.params.to ?? "archive",
        includes: row.params.includes ?? [],
        targetSourceId: (row.params.targetSourceId ?? null) as SourceId | null,
        targetPath: row.params.targetPath ?? null,
        overwrite: row.params.overwrite ?? false
      }
      : null,
    error: row.error,
    createdAt: DateTime.unsafeFromDate(row.created_at),
    startedAt: dateOrNull(row.started_at),
    finishedAt: dateOrNull(row.finished_at)
  })
