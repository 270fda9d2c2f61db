import type { BackupWarning, JobProgress } from "../../shared/contract/Jobs.js"
import type { BackupClaim } from "../../shared/contract/Workers.js"
import { XVAULT_VERSION } from "../../shared/Version.js"
import { ARTIFACT_FILE } from "../../shared/storage/Locators.js"

/** Bumped whenever the artifact or manifest layout changes; docs/artifact-format.md describes each version. */
export const MANIFEST_FORMAT_VERSION = 1

/** manifest.json beside the artifact: what it holds and how to open it. Never a secret. */
export const buildManifest = (options: {
  readonly claim: BackupClaim
  /** Where the data came from, as the source's kind describes it (SFTP: host, port, username). */
  readonly sourceFields: Readonly<Record<string, unknown>>
  readonly counters: JobProgress
  readonly warnings: ReadonlyArray<BackupWarning>
  readonly artifact: { readonly sizeBytes: number; readonly sha256: string }
  readonly compression: { readonly level: number; readonly frameBytes: number }
  readonly createdAt: Date
}) => ({
  formatVersion: MANIFEST_FORMAT_VERSION,
  snapshotId: options.claim.snapshotId,
  jobId: options.claim.jobId,
  tenantId: options.claim.tenantId,
  sourceId: options.claim.source.id,
  createdAt: options.createdAt.toISOString(),
  xvaultVersion: XVAULT_VERSION,
  source: {
    ...options.sourceFields,
    paths: options.claim.source.paths,
    excludes: options.claim.source.excludes
  },
  tags: options.claim.tags,
  counts: {
    files: options.counters.files,
    dirs: options.counters.dirs,
    symlinks: options.counters.symlinks,
    bytesRead: options.counters.bytesRead
  },
  warnings: options.warnings,
  artifact: { file: ARTIFACT_FILE, ...options.artifact },
  compression: { algorithm: "zstd", ...options.compression },
  encryption: { format: "age-encryption.org/v1", recipients: options.claim.recipients }
})
