import type { Job, RestoreOptions } from "../shared/contract/Jobs.js"

/** Where a restore goes, in a few words: "an archive on the snapshot's worker", "source S at /srv (overwrite)". */
export const restoreTargetText = (r: RestoreOptions): string => {
  if (r.to === "archive") return "restore.tar on the snapshot's worker"
  const path = r.targetPath ?? "a new xvault-restore-<snapshot> directory in the login's home"
  return `source ${r.targetSourceId ?? "?"} at ${path}${r.overwrite ? " (overwriting)" : ""}`
}

export const includesText = (r: RestoreOptions): string => (r.includes.length === 0 ? "everything" : r.includes.join(", "))

/** "queued restore job J of snapshot S to restore.tar on the snapshot's worker". */
export const queuedRestoreText = (job: Job): string =>
  `queued restore job ${job.id} of snapshot ${job.snapshotId ?? "?"}` +
  (job.restore === null ? "" : ` to ${restoreTargetText(job.restore)}`)
