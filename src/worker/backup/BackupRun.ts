import * as path from "node:path"
import { Effect, Stream } from "effect"
import { ageEncryptor } from "../../shared/crypto/age/Age.js"
import type { BackupWarning, JobProgress } from "../../shared/contract/Jobs.js"
import type { BackupClaim, BackupCompletion } from "../../shared/contract/Workers.js"
import { tarStream } from "../archive/PaxTar.js"
import { DEFAULT_FRAME_BYTES, zstdFrames } from "../archive/ZstdFrames.js"
import { sourceFor } from "../source/sourceFor.js"
import { writeAtomically } from "../storage/AtomicFile.js"
import { freshDir, fsyncUpTo, removeDir, snapshotDir } from "../storage/SnapshotDir.js"
import { ARTIFACT_FILE, artifactLocator, MANIFEST_FILE } from "../storage/SnapshotPaths.js"
import { buildManifest } from "./Manifest.js"

/** Tar output chunks (mostly one SFTP read, at most 128 KiB, each) held ahead of compression. */
const ARCHIVE_BUFFER_CHUNKS = 64
/** Encrypted chunks (one compressed frame each, at most 4 MiB) held ahead of the disk. */
const CIPHERTEXT_BUFFER_CHUNKS = 4

export interface BackupRunOptions {
  readonly storageBase: string
  readonly zstdLevel: number
  /** Live counters the lease keeper reports as progress. */
  readonly counters: { -readonly [K in keyof JobProgress]: JobProgress[K] }
  readonly warnings: Array<BackupWarning>
  /** Trust on first use: called with the server's fingerprint when the source has none pinned yet. */
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, unknown>
}

/**
 * One backup attempt: the source (by its kind) → pax tar → zstd frames → age, into
 * `snapshots/{id}/backup.tar.zst.enc` and `manifest.json`, each written as `.partial`,
 * fsynced and renamed, then the directories fsynced. On any failure or interruption the
 * snapshot directory is removed, so nothing partial is ever left behind.
 */
export const runBackup = (claim: BackupClaim, options: BackupRunOptions) => {
  const ref = { tenantId: claim.tenantId, sourceId: claim.source.id, snapshotId: claim.snapshotId }
  const dir = snapshotDir(options.storageBase, ref)
  const { counters, warnings } = options
  return Effect.gen(function*() {
    const createdAt = new Date()
    const source = yield* sourceFor(claim.source.spec)
    yield* freshDir(dir)
    const sourceItems = yield* source.items({
      paths: claim.source.paths,
      excludes: claim.source.excludes,
      onWarning: (warning) => warnings.push(warning),
      onBytesRead: (n) => (counters.bytesRead += n),
      recordHostKey: options.recordHostKey
    })
    const items = sourceItems.pipe(Stream.mapChunks((chunk) => {
      for (const { meta } of chunk) {
        if (meta.type === "file") counters.files++
        else if (meta.type === "directory") counters.dirs++
        else counters.symlinks++
      }
      return chunk
    }))
    // a file that shrank while read is reported by the source; the tar writer pads it to its listed size
    const archive = tarStream(items)
    const encryption = ageEncryptor(claim.recipients)
    const compression = { level: options.zstdLevel, frameBytes: DEFAULT_FRAME_BYTES }
    // The buffers let each stage run while the next is busy: SFTP reads go on while frames are
    // compressed, and compression goes on while the disk writes. They bound memory too.
    const ciphertext = archive.pipe(
      Stream.bufferChunks({ capacity: ARCHIVE_BUFFER_CHUNKS }),
      zstdFrames(compression),
      encryption.encrypt,
      Stream.bufferChunks({ capacity: CIPHERTEXT_BUFFER_CHUNKS })
    )
    const artifact = yield* writeAtomically(path.join(dir, ARTIFACT_FILE), ciphertext, (n) => (counters.bytesWritten += n))
    const manifest = buildManifest({ claim, sourceFields: source.manifestFields, counters, warnings, artifact, compression, createdAt })
    yield* writeAtomically(path.join(dir, MANIFEST_FILE), Stream.make(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)))
    yield* fsyncUpTo(options.storageBase, dir)

    const completion: Omit<BackupCompletion, "leaseId"> = {
      type: "backup",
      locator: artifactLocator(ref),
      sizeBytes: artifact.sizeBytes,
      sha256: artifact.sha256,
      fileCount: counters.files,
      dirCount: counters.dirs,
      symlinkCount: counters.symlinks,
      bytesIn: counters.bytesRead,
      ageHeader: encryption.header,
      manifest,
      warnings
    }
    return completion
  }).pipe(Effect.scoped, Effect.onError(() => removeDir(dir)))
}
