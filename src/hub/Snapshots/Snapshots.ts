import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import type { JobId, SnapshotId, SourceId, TenantId } from "../../shared/contract/Ids.js"
import { Snapshot } from "../../shared/contract/Snapshots.js"

interface SnapshotRow {
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
}

const toSnapshot = (row: SnapshotRow) =>
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
    createdAt: DateTime.unsafeFromDate(row.created_at)
  })

export class Snapshots extends Effect.Service<Snapshots>()("hub/Snapshots", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Newest first; keyset pagination on (created_at, id) so pages stay stable while backups land. */
    const listForSource = (sourceId: SourceId, page: { readonly limit: number; readonly before?: SnapshotId | undefined }) =>
      sql<SnapshotRow>`
        SELECT id, tenant_id, source_id, job_id, worker_id, locator, size_bytes, sha256, file_count, dir_count,
               symlink_count, bytes_in, tags, status, created_at
        FROM snapshots
        WHERE source_id = ${sourceId}
          AND ${page.before === undefined
            ? sql`true`
            : sql`(created_at, id) < (SELECT created_at, id FROM snapshots WHERE id = ${page.before})`}
        ORDER BY created_at DESC, id DESC
        LIMIT ${page.limit + 1}`.pipe(
        Effect.map((rows) => {
          const snapshots = rows.slice(0, page.limit).map(toSnapshot)
          return { snapshots, nextBefore: rows.length > page.limit ? snapshots[snapshots.length - 1]!.id : null }
        }),
        Effect.orDie
      )

    return { listForSource } as const
  })
}) {}
