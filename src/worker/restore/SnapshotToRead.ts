import type { JobProgress } from "../../shared/contract/Jobs.js"

/** A snapshot as the Hub recorded it: where its artifact is on this worker, and what it must hash to. */
export interface SnapshotToRead {
  readonly tenantId: string
  readonly sourceId: string
  readonly snapshotId: string
  /** Relative to the storage base; one that resolves outside it is refused. */
  readonly locator: string
  /** Hex SHA-256 of the artifact file, as the Hub recorded it. */
  readonly sha256: string
  readonly sizeBytes: number
}

/**
 * Live counters the lease keeper reports as progress. For restores and verifies: bytesRead is
 * artifact bytes read from storage, bytesWritten what the output received, and files, dirs and
 * symlinks the entries restored (or read, for a verify).
 */
export type Counters = { -readonly [K in keyof JobProgress]: JobProgress[K] }

/** Something left out of a restore, by the entry's name in the archive. */
export interface RestoreWarning {
  readonly path: string
  readonly message: string
}
