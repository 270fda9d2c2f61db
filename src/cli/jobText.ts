import type { BackupWarning, Job, JobProgress, JobResult } from "../shared/contract/Jobs.js"
import { formatBytes } from "./formatBytes.js"

/** What people read about a job; scripts use --json (jobJson). */

export const attemptText = (job: Job) => `attempt ${job.attempt}/${job.maxAttempts}`

export const countersText = (p: JobProgress) =>
  `${p.files} files, ${formatBytes(p.bytesRead)} read, ${formatBytes(p.bytesWritten)} written`

/** One plain line for logs and pipes: "running attempt 1/3: 120 files, 45.0 MiB read, 12.1 MiB written". */
export const progressText = (job: Job): string => {
  switch (job.status) {
    case "queued":
      return job.attempt === 0
        ? "queued: waiting for a worker"
        : `queued: attempt ${job.attempt + 1}/${job.maxAttempts} waits for a worker`
    case "running":
      return `running ${attemptText(job)}: ${job.progress === null ? "starting" : countersText(job.progress)}`
    default:
      return job.status
  }
}

/**
 * The attempt whose failure is behind a pending or running retry, if any: the Hub keeps the last
 * error on the job while a retry is queued and while it runs.
 */
export const failedAttempt = (job: Job): number | undefined => {
  if (job.error === null) return undefined
  if (job.status === "queued" && job.attempt >= 1) return job.attempt
  if (job.status === "running" && job.attempt >= 2) return job.attempt - 1
  return undefined
}

export const retryNotice = (attempt: number, error: string) => `attempt ${attempt} failed: ${error}; retrying`

/** One line on what a finished job produced, whatever its type. */
export const resultText = (r: JobResult): string => {
  if ("to" in r) {
    return r.to === "archive"
      ? `restore.tar (${r.entries} entries, ${formatBytes(r.sizeBytes)}, sha256 ${r.sha256}) at ${r.locator} on the snapshot's worker`
      : `${r.files} files, ${r.dirs} dirs, ${r.symlinks} symlinks (${formatBytes(r.bytesWritten)}) written to ${r.targetPath} on source ${r.targetSourceId}` +
        (r.skipped > 0 ? `, ${r.skipped} entries skipped` : "")
  }
  if ("intact" in r) {
    return r.intact
      ? `snapshot ${r.snapshotId} is intact (${r.entries} entries, ${formatBytes(r.bytes)} read)`
      : `snapshot ${r.snapshotId} is CORRUPT: ${r.problem ?? "unknown problem"}`
  }
  if ("removed" in r) return r.removed ? `snapshot ${r.snapshotId} deleted` : `snapshot ${r.snapshotId} was already gone`
  return `snapshot ${r.snapshotId}, ${r.fileCount} files, ${formatBytes(r.sizeBytes)}`
}

export const resultWarnings = (r: JobResult): ReadonlyArray<BackupWarning> => ("warnings" in r ? r.warnings : [])

/** What a finished, successful job leaves: its result, then every entry it had to leave out. */
export const succeededLines = (job: Job): ReadonlyArray<string> => {
  const r = job.result
  if (r === null) return [`${job.type} job ${job.id} succeeded`]
  return [`${job.type} succeeded: ${resultText(r)}`, ...resultWarnings(r).map((w) => `warning: ${w.path}: ${w.message}`)]
}
