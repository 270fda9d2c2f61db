import { Effect, Redacted } from "effect"
import type { BackupWarning, JobProgress } from "../shared/contract/Jobs.js"
import type { JobClaim, JobCompletion, RestoreClaim, SnapshotOnWorker } from "../shared/contract/Workers.js"
import { runBackup } from "./backup/BackupRun.js"
import { discardArchiveRestore, restoreToArchive } from "./restore/restoreToArchive.js"
import { restoreToSource } from "./restore/restoreToSource.js"
import type { SnapshotToRead } from "./restore/SnapshotToRead.js"
import { snapshotDirLocator } from "../shared/storage/Locators.js"
import type { HubUnreachable, LeaseLost } from "./HubErrors.js"
import type { SourceFailed } from "./source/SourceFailed.js"
import { ArtifactStore } from "./storage/ArtifactStore.js"
import type { WorkerError } from "./WorkerError.js"
import { verifySnapshot } from "./verify/verifySnapshot.js"

export interface WorkContext {
  readonly zstdLevel: number
  /** Live counters the lease keeper reports as progress. */
  readonly counters: { -readonly [K in keyof JobProgress]: JobProgress[K] }
  /** Trust on first use: called with the server's fingerprint when the source has none pinned yet. */
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, LeaseLost | HubUnreachable | SourceFailed>
}

type Completion = JobCompletion extends infer C ? C extends unknown ? Omit<C, "leaseId"> : never : never

/** One attempt's work, and how to undo its output if the Hub refuses to record it. */
export interface JobWork {
  readonly run: Effect.Effect<Completion, WorkerError, ArtifactStore>
  readonly discard: Effect.Effect<void, never, ArtifactStore>
}

const discardUnit = (unit: string) => Effect.flatMap(ArtifactStore, (store) => Effect.ignore(store.discard(unit)))

/** What a claimed job does on this worker. */
export const workFor = (claim: JobClaim, context: WorkContext): JobWork => {
  switch (claim.type) {
    case "backup": {
      const warnings: Array<BackupWarning> = []
      return {
        run: runBackup(claim, { ...context, warnings }),
        discard: discardUnit(snapshotDirLocator({ ...claim, sourceId: claim.source.id }))
      }
    }
    case "delete_snapshot":
      return {
        run: Effect.flatMap(ArtifactStore, (store) =>
          Effect.map(store.deleteSnapshot(claim.snapshot), (result) => ({ type: "delete_snapshot" as const, result }))),
        discard: Effect.void
      }
    case "verify":
      return {
        run: Effect.map(
          verifySnapshot({ ...context, snapshot: toRead(claim.snapshot), fileKey: fileKeyOf(claim.fileKey) }),
          (outcome) => ({
            type: "verify" as const,
            result: outcome.intact
              ? { snapshotId: claim.snapshot.id, intact: true, problem: null, entries: outcome.entries, bytes: outcome.bytes }
              : { snapshotId: claim.snapshot.id, intact: false, problem: outcome.problem, entries: 0, bytes: 0 }
          })
        ),
        discard: Effect.void
      }
    case "restore":
      return restoreWork(claim, context)
  }
}

const toRead = (snapshot: SnapshotOnWorker): SnapshotToRead => ({ ...snapshot, snapshotId: snapshot.id })

const fileKeyOf = (key: Redacted.Redacted<string>) => new Uint8Array(Buffer.from(Redacted.value(key), "base64"))

const restoreWork = (claim: RestoreClaim, context: WorkContext): JobWork => {
  const warnings: Array<BackupWarning> = []
  const snapshot = toRead(claim.snapshot)
  const common = { ...context, snapshot, fileKey: fileKeyOf(claim.fileKey), includes: claim.includes, warnings }
  const target = claim.target
  if (target._tag === "archive") {
    return {
      run: Effect.map(restoreToArchive({ ...common, restoreId: claim.jobId }), (restored) => ({
        type: "restore" as const,
        result: { to: "archive" as const, snapshotId: claim.snapshot.id, ...restored, warnings }
      })),
      discard: discardArchiveRestore(snapshot, claim.jobId)
    }
  }
  return {
    run: Effect.map(
      restoreToSource({ ...common, target: target.source.spec, targetPath: target.path, overwrite: target.overwrite }),
      (restored) => ({
        type: "restore" as const,
        result: { to: "sftp" as const, snapshotId: claim.snapshot.id, targetSourceId: target.source.id, ...restored, warnings }
      })
    ),
    // files written to a server are the user's now; a refused report does not take them back
    discard: Effect.void
  }
}
