import type { StoredSnapshotDir } from "../../shared/contract/Workers.js"

export interface SnapshotFacts {
  readonly tenant_id: string
  readonly source_id: string
  readonly worker_id: string
  readonly status: "available" | "corrupt" | "deleting" | "deleted"
}

export interface JobFacts {
  readonly type: string
  readonly status: string
  readonly tenant_id: string
  readonly source_id: string | null
}

export type Verdict = "remove" | "keep" | "unknown"

/**
 * What a worker may do with one snapshot directory it holds. Removal needs positive evidence
 * that the data is garbage; anything else keeps it:
 * - a job queued or running on the snapshot (a backup writing it, a verify reading it): keep;
 * - a row that is not `deleted`, or a row on another worker or under another tenant/source: keep;
 * - a `deleted` row of this worker, at this path: remove (its delete ran, the files came back
 *   or stayed);
 * - no row, and the backup job that allocated the id, for this tenant and source, has ended:
 *   remove (the worker died after the rename, before the Hub recorded the snapshot);
 * - no row and no job at all: unknown to this database (an older restored copy, another
 *   installation's volume), kept and reported.
 */
export const reconcileVerdict = (
  workerId: string,
  dir: StoredSnapshotDir,
  row: SnapshotFacts | undefined,
  jobs: ReadonlyArray<JobFacts>
): Verdict => {
  if (jobs.some((j) => j.status === "queued" || j.status === "running")) return "keep"
  const samePlace = (r: { readonly tenant_id: string; readonly source_id: string | null }) =>
    r.tenant_id === dir.tenantId && r.source_id === dir.sourceId
  if (row !== undefined) return row.status === "deleted" && row.worker_id === workerId && samePlace(row) ? "remove" : "keep"
  const backup = jobs.find((j) => j.type === "backup")
  if (backup === undefined) return jobs.length === 0 ? "unknown" : "keep"
  return samePlace(backup) ? "remove" : "keep"
}
