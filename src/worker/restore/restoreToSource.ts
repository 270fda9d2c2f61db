import { Effect, Option, Stream } from "effect"
import type { SourceFailed } from "../source/SourceFailed.js"
import { sourceFor } from "../source/sourceFor.js"
import type { SourceKindUnsupported } from "../source/SourceKindUnsupported.js"
import type { StorageFailed } from "../storage/StorageFailed.js"
import type { ClaimedSource } from "../../shared/contract/Workers.js"
import { artifactParts } from "../artifact/artifactParts.js"
import { checkWhole, openSnapshot } from "../artifact/openSnapshot.js"
import { SnapshotDamaged } from "../artifact/SnapshotDamaged.js"
import type { ArtifactStore } from "../storage/ArtifactStore.js"
import { cannotRestore } from "./cannotRestore.js"
import { EntryPolicy } from "./EntryPolicy.js"
import type { RestoreFailed } from "./RestoreFailed.js"
import type { Counters, RestoreWarning, SnapshotToRead } from "./SnapshotToRead.js"

export interface SourceRestoreOptions<E> {
  readonly snapshot: SnapshotToRead
  /** The snapshot's 16-byte age file key, unwrapped by the Hub. */
  readonly fileKey: Uint8Array
  /** Globs (includeMatcher); empty: everything. */
  readonly includes: ReadonlyArray<string>
  /** The source to write to, as the claim gives it: the snapshot's own or another of the tenant's. */
  readonly target: ClaimedSource["spec"]
  /** null: the kind's default (over SFTP a new `xvault-restore-<snapshot id>` in the login's home); relative: from there. */
  readonly targetPath: string | null
  readonly overwrite: boolean
  /** Start from zero: files, dirs, symlinks and bytesWritten are what was restored. */
  readonly counters: Counters
  readonly warnings: Array<RestoreWarning>
  /** Trust on first use: called with the server's fingerprint when the target has none pinned yet. */
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, E>
}

export interface SourceRestored {
  readonly targetPath: string
  readonly files: number
  readonly dirs: number
  readonly symlinks: number
  readonly bytesWritten: number
  /** Entries not restored: refused names, something in the way, or the server said no; each has a warning. */
  readonly skipped: number
}

/**
 * Writes a snapshot's files back to a source, through the writer its kind provides (see
 * Source.restoreTarget), in one read of the artifact. Before the target is touched: the
 * artifact's size, its age header and MAC, and the first zstd frame (decrypted, decompressed,
 * its tar headers parsed). Then the archive's entries stream into the writer while every 64 KiB
 * age chunk is authenticated before its plaintext is used, and the SHA-256 is compared at the
 * end. With overwrite (which replaces files for good) the SHA-256 is checked first instead, at
 * the cost of a second read. On any failure or interruption the writer removes what the restore
 * created.
 */
export const restoreToSource = <E>(
  options: SourceRestoreOptions<E>
): Effect.Effect<SourceRestored, RestoreFailed | SourceFailed | StorageFailed | SourceKindUnsupported | E, ArtifactStore> => {
  const { snapshot, counters } = options
  return Effect.gen(function*() {
    const source = yield* sourceFor(options.target)
    const artifact = yield* openSnapshot(snapshot, (n) => (counters.bytesRead += n))
    // files an overwrite replaces cannot be brought back: then the whole file is hashed first (a second read)
    if (options.overwrite) yield* checkWhole(artifact)
    const pull = yield* Stream.toPull(artifactParts(artifact, options.fileKey))
    const next = pull.pipe(
      Effect.map(Option.some),
      Effect.catchAll(Option.match({ onNone: () => Effect.succeedNone, onSome: Effect.fail }))
    )
    // the age header and MAC, and the whole first zstd frame, are checked before the target is touched
    let parts = yield* next

    const writer = yield* source.restoreTarget({
      targetPath: options.targetPath,
      snapshotId: snapshot.snapshotId,
      overwrite: options.overwrite,
      policy: new EntryPolicy(options.includes),
      counters,
      warnings: options.warnings,
      recordHostKey: options.recordHostKey
    })
    while (Option.isSome(parts)) {
      yield* writer.write(parts.value)
      parts = yield* next
    }
    // every chunk was authenticated as it was read: the digest confirms this is the recorded file
    if (!options.overwrite) yield* checkWhole(artifact)
    const { targetPath, skipped } = yield* writer.finish
    const { files, dirs, symlinks, bytesWritten } = counters
    return { targetPath, files, dirs, symlinks, bytesWritten, skipped }
  }).pipe(
    Effect.scoped,
    Effect.mapError((e) => (e instanceof SnapshotDamaged ? cannotRestore(snapshot, e) : e))
  )
}
