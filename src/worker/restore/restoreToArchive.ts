import { Effect, Option, Stream } from "effect"
import { restoreFileLocator } from "../../shared/storage/Locators.js"
import { artifactParts } from "../artifact/artifactParts.js"
import { checkWhole, openSnapshot } from "../artifact/openSnapshot.js"
import { ArtifactStore } from "../storage/ArtifactStore.js"
import type { LocatorRefused } from "../storage/LocatorRefused.js"
import type { StorageFailed } from "../storage/StorageFailed.js"
import { archiveOutput } from "./archiveOutput.js"
import { EntryPolicy } from "./EntryPolicy.js"
import { RestoreFailed } from "./RestoreFailed.js"
import { restoreUnit } from "./RestorePaths.js"
import type { Counters, RestoreWarning, SnapshotToRead } from "./SnapshotToRead.js"
import { cannotRestore } from "./cannotRestore.js"

export interface ArchiveRestoreOptions {
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
  /** `restores/{restore id}/restore.tar` of the snapshot's source, relative to the store (Locators). */
  readonly locator: string
  readonly sizeBytes: number
  readonly sha256: string
  readonly entries: number
}

const invalidId = (restoreId: string) =>
  new RestoreFailed({ reason: "invalid", message: `restore id ${JSON.stringify(restoreId)} is not a valid id` })

/**
 * Writes the snapshot's entries (only those matching `includes`, if any) as a plain POSIX tar,
 * `restores/{restore id}/restore.tar`, put atomically in the store. Before the put completes the
 * artifact's size and SHA-256 are checked against the Hub's record. On any failure or interruption
 * the restore's unit is discarded: nothing partial is left.
 */
export const restoreToArchive = (
  options: ArchiveRestoreOptions
): Effect.Effect<ArchiveRestored, RestoreFailed | StorageFailed | LocatorRefused, ArtifactStore> => {
  const { snapshot, counters } = options
  const ref = { tenantId: snapshot.tenantId, sourceId: snapshot.sourceId, restoreId: options.restoreId }
  const unit = restoreUnit(ref)
  if (Option.isNone(unit)) return Effect.fail(invalidId(options.restoreId))
  return Effect.gen(function*() {
    const store = yield* ArtifactStore
    yield* store.prepare(unit.value)
    const artifact = yield* openSnapshot(snapshot, (n) => (counters.bytesRead += n))
    const written = { entries: 0 }
    const tar = artifactParts(artifact, options.fileKey).pipe(
      archiveOutput({ policy: new EntryPolicy(options.includes), counters, warnings: options.warnings, written }),
      Stream.concat(Stream.execute(checkWhole(artifact)))
    )
    const locator = restoreFileLocator(ref)
    const file = yield* store.put(locator, tar, (n) => (counters.bytesWritten += n))
    return { locator, sizeBytes: file.sizeBytes, sha256: file.sha256, entries: written.entries }
  }).pipe(
    Effect.scoped,
    Effect.catchTag("SnapshotDamaged", (e) => Effect.fail(cannotRestore(snapshot, e))),
    Effect.onError(() => discardArchiveRestore(snapshot, options.restoreId))
  )
}

/** Removes an archive restore's unit: what to do if the Hub does not record it. */
export const discardArchiveRestore = (snapshot: SnapshotToRead, restoreId: string) =>
  Option.match(restoreUnit({ tenantId: snapshot.tenantId, sourceId: snapshot.sourceId, restoreId }), {
    onNone: () => Effect.void,
    onSome: (unit) => Effect.flatMap(ArtifactStore, (store) => Effect.ignore(store.discard(unit)))
  })
