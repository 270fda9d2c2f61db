import { Effect } from "effect"
import type { BackupWarning, JobProgress } from "../shared/contract/Jobs.js"
import type { JobClaim, JobCompletion } from "../shared/contract/Workers.js"
import { runBackup } from "./backup/BackupRun.js"
import { deleteSnapshot } from "./storage/deleteSnapshot.js"
import { removeDir, snapshotDir } from "./storage/SnapshotDir.js"

export interface WorkContext {
  readonly storageBase: string
  readonly zstdLevel: number
  /** Live counters the lease keeper reports as progress. */
  readonly counters: { -readonly [K in keyof JobProgress]: JobProgress[K] }
  /** Trust on first use: called with the server's fingerprint when the source has none pinned yet. */
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, unknown>
}

type Completion = JobCompletion extends infer C ? C extends unknown ? Omit<C, "leaseId"> : never : never

/** One attempt's work, and how to undo its output if the Hub refuses to record it. */
export interface JobWork {
  readonly run: Effect.Effect<Completion, unknown>
  readonly discard: Effect.Effect<void>
}

/** What a claimed job does on this worker. */
export const workFor = (claim: JobClaim, context: WorkContext): JobWork => {
  switch (claim.type) {
    case "backup": {
      const warnings: Array<BackupWarning> = []
      return {
        run: runBackup(claim, { ...context, warnings }),
        discard: removeDir(snapshotDir(context.storageBase, { ...claim, sourceId: claim.source.id }))
      }
    }
    case "delete_snapshot":
      return {
        run: Effect.map(deleteSnapshot(context.storageBase, claim.snapshot), (result) => ({ type: "delete_snapshot" as const, result })),
        discard: Effect.void
      }
    case "verify":
    case "restore":
      return {
        run: Effect.fail({ message: `this worker cannot run ${claim.type} jobs yet`, retryable: false }),
        discard: Effect.void
      }
  }
}
