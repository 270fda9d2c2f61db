import * as path from "node:path"
import { Effect, Option, Stream } from "effect"
import { writeAtomically } from "../storage/AtomicFile.js"
import { freshDir, fsyncUpTo, removeDir } from "../storage/SnapshotDir.js"
import type { StorageFailed } from "../storage/StorageFailed.js"
import { archiveOutput } from "./archiveOutput.js"
import { checkDigest, openArtifact, SnapshotDamaged } from "./ArtifactFile.js"
import { artifactParts } from "./artifactParts.js"
import { EntryPolicy } from "./EntryPolicy.js"
import { RestoreFailed } from "./RestoreFailed.js"
import { RESTORE_FILE, restoreDir, restoreFileLocator } from "./RestorePaths.js"
import type { Counters, RestoreWarning, SnapshotToRead } from "./SnapshotToRead.js"
import { cannotRestore } from "./cannotRestore.js"

export interface ArchiveRestoreOptions {
  readonly storageBase: string
  readonly snapshot: SnapshotToRead
  /** The snapshot's 16-byte age file key, unwrapped by the Hub. */
  readonly fileKey: Uint8Array
  /** Globs (includeMatcher); empty: everything. */
  readonly includes: ReadonlyArray<string>
  readonly restoreId: string
  readonly counters: Counters
  readonly warnings: Array<RestoreWarning>
}

export interface ArchiveRestored {
  /** `tenants/{t}/sources/{s}/restores/{restore id}/restore.tar`, relative to the storage base. */
  readonly locator: string
  readonly sizeBytes: number
  readonly sha256: string
  readonly entries: number
}

/**
 * Writes the snapshot's entries (only those matching `includes`, if any) as a plain POSIX tar,
 * `restores/{restore id}/restore.tar`, as `.partial`, fsynced, renamed, directories fsynced.
 * Before the rename the artifact's size and SHA-256 are checked against the Hub's record. On any
 * failure or interruption the restore directory is removed: nothing partial is left.
 */
export const restoreToArchive = (options: ArchiveRestoreOptions): Effect.Effect<ArchiveRestored, RestoreFailed | StorageFailed> => {
  const { storageBase, snapshot, counters } = options
  const ref = { tenantId: snapshot.tenantId, sourceId: snapshot.sourceId, restoreId: options.restoreId }
  const dir = restoreDir(storageBase, ref)
  if (Option.isNone(dir)) {
    return Effect.fail(new RestoreFailed({ reason: "invalid", message: `restore id ${JSON.stringify(options.restoreId)} is not a valid id` }))
  }
  return Effect.gen(function*() {
    yield* freshDir(dir.value)
    const artifact = yield* openArtifact(storageBase, snapshot, (n) => (counters.bytesRead += n))
    const written = { entries: 0 }
    const wholeFileChecked = Stream.execute(Effect.flatMap(artifact.digest, (digest) =>
      Option.match(checkDigest(snapshot, digest), {
        onNone: () => Effect.void,
        onSome: (problem) => Effect.fail(new SnapshotDamaged({ problem }))
      })))
    const tar = artifactParts(artifact, options.fileKey).pipe(
      archiveOutput({ policy: new EntryPolicy(options.includes), counters, warnings: options.warnings, written }),
      Stream.concat(wholeFileChecked)
    )
    const file = yield* writeAtomically(path.join(dir.value, RESTORE_FILE), tar, (n) => (counters.bytesWritten += n))
    yield* fsyncUpTo(storageBase, dir.value)
    return { locator: restoreFileLocator(ref), sizeBytes: file.sizeBytes, sha256: file.sha256, entries: written.entries }
  }).pipe(
    Effect.scoped,
    Effect.catchTag("SnapshotDamaged", (e) => Effect.fail(cannotRestore(snapshot, e))),
    Effect.onError(() => removeDir(dir.value))
  )
}

/** The directory a finished archive restore lives in: what to remove if the Hub does not record it. */
export const discardArchiveRestore = (storageBase: string, snapshot: SnapshotToRead, restoreId: string) =>
  Option.match(restoreDir(storageBase, { tenantId: snapshot.tenantId, sourceId: snapshot.sourceId, restoreId }), {
    onNone: () => Effect.void,
    onSome: removeDir
  })
