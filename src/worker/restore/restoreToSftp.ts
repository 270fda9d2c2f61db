import { Effect, Option, Stream } from "effect"
import { openSftp } from "../sftp/openSftp.js"
import type { SftpTarget } from "../sftp/SftpTarget.js"
import type { SourceFailed } from "../source/SourceFailed.js"
import type { StorageFailed } from "../storage/StorageFailed.js"
import { checkDigest, openArtifact, SnapshotDamaged } from "./ArtifactFile.js"
import { artifactParts } from "./artifactParts.js"
import { cannotRestore } from "./cannotRestore.js"
import { EntryPolicy } from "./EntryPolicy.js"
import type { RestoreFailed } from "./RestoreFailed.js"
import type { Counters, RestoreWarning, SnapshotToRead } from "./SnapshotToRead.js"
import { createSymlinks } from "../sftp/target/createSymlinks.js"
import { RemoteDirs } from "../sftp/target/RemoteDirs.js"
import { removeCreated } from "../sftp/target/removeCreated.js"
import { resolveTarget } from "../sftp/target/resolveTarget.js"
import type { TargetContext } from "../sftp/target/TargetContext.js"
import { type TrackedConnection, trackRequests } from "../sftp/target/trackRequests.js"
import { TreeWriter } from "../sftp/target/TreeWriter.js"
import { UploadWindow } from "../sftp/target/UploadWindow.js"

/** Content bytes handed to unanswered write requests, and files open at once: what bounds memory and keeps the link busy. */
const WINDOW_BYTES = 16 * 1024 * 1024
const WINDOW_FILES = 64
const CLEANUP_TIMEOUT = "2 minutes"

export interface SftpRestoreOptions<E> {
  readonly storageBase: string
  readonly snapshot: SnapshotToRead
  /** The snapshot's 16-byte age file key, unwrapped by the Hub. */
  readonly fileKey: Uint8Array
  /** Globs (includeMatcher); empty: everything. */
  readonly includes: ReadonlyArray<string>
  /** The source to write to: the snapshot's own or another of the tenant's (its connection fields). */
  readonly target: SftpTarget
  /** null: a new `xvault-restore-<snapshot id>` in the login's home; relative: from the home. */
  readonly targetPath: string | null
  readonly overwrite: boolean
  /** Start from zero: files, dirs, symlinks and bytesWritten are what was restored. */
  readonly counters: Counters
  readonly warnings: Array<RestoreWarning>
  /** Trust on first use: called with the server's fingerprint when the target has none pinned yet. */
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, E>
}

export interface SftpRestored {
  readonly targetPath: string
  readonly files: number
  readonly dirs: number
  readonly symlinks: number
  readonly bytesWritten: number
  /** Entries not restored: refused names, something in the way, or the server said no; each has a warning. */
  readonly skipped: number
}

/**
 * Writes a snapshot's files back over SFTP under the target path, entries named as in the
 * archive (`<target>/srv/data/…`): directories, files (many writes in flight), then symlinks,
 * then directory modes and mtimes. The artifact's size and SHA-256 are checked before the target
 * is touched. Nothing is written outside the target (see EntryPolicy, RemoteDirs, FileUpload).
 * Without overwrite, an existing file is never replaced: it is skipped with a warning and the
 * restore goes on. With it, regular files are replaced (symlink entries also replace symlinks),
 * never a directory, and never through a symlink. On any failure or interruption everything the
 * restore created is removed (over a new connection if the first was lost).
 */
export const restoreToSftp = <E>(
  options: SftpRestoreOptions<E>
): Effect.Effect<SftpRestored, RestoreFailed | SourceFailed | StorageFailed | E> => {
  const { snapshot, counters } = options
  const created: Array<string> = []
  let connected: TrackedConnection | undefined
  const cleanUp = Effect.suspend(() => {
    if (connected === undefined) return Effect.void
    const { connection, drained } = connected
    const target = { ...options.target, hostKey: connection.hostKey }
    return drained.pipe(
      Effect.zipRight(Effect.suspend(() => removeCreated(connection, created))),
      Effect.orElse(() => Effect.scoped(Effect.flatMap(openSftp(target), (again) => removeCreated(again, created)))),
      Effect.timeout(CLEANUP_TIMEOUT),
      Effect.ignore
    )
  })
  return Effect.gen(function*() {
    const artifact = yield* openArtifact(options.storageBase, snapshot, (n) => (counters.bytesRead += n))
    const wrong = checkDigest(snapshot, yield* artifact.digest)
    if (Option.isSome(wrong)) return yield* new SnapshotDamaged({ problem: wrong.value })

    connected = trackRequests(yield* openSftp(options.target))
    const { connection } = connected
    if (options.target.hostKey === null) yield* options.recordHostKey(connection.hostKey)
    const target = yield* resolveTarget(connection, { ...options, snapshotId: snapshot.snapshotId }, created)
    const context: TargetContext = {
      connection,
      root: target.root,
      overwrite: options.overwrite,
      window: new UploadWindow(WINDOW_BYTES, WINDOW_FILES),
      counters,
      warnings: options.warnings,
      created,
      skipped: { count: 0 }
    }
    const dirs = new RemoteDirs(context, target.status)
    const writer = new TreeWriter(context, dirs, new EntryPolicy(options.includes))
    yield* Stream.runForEachChunk(artifactParts(artifact, options.fileKey), writer.write)
    yield* context.window.idle
    // mkdirs are not in the window: their answers (and the modes they record) must be in too
    yield* connected.drained
    yield* createSymlinks(context, writer.symlinks)
    yield* dirs.applyAttributes()
    const { files, dirs: dirCount, symlinks, bytesWritten } = counters
    return { targetPath: target.root, files, dirs: dirCount, symlinks, bytesWritten, skipped: context.skipped.count }
  }).pipe(
    Effect.onError(() => cleanUp),
    Effect.scoped,
    Effect.mapError((e) => (e instanceof SnapshotDamaged ? cannotRestore(snapshot, e) : e))
  )
}
