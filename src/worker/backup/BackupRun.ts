import { Effect, Stream } from "effect"
import type { BackupWarning, JobProgress } from "../../shared/contract/Jobs.js"
import type { BackupClaim, BackupCompletion } from "../../shared/contract/Workers.js"
import { artifactLocator, manifestLocator, snapshotDirLocator } from "../../shared/storage/Locators.js"
import { encodeArtifact } from "../artifact/encodeArtifact.js"
import { buildManifest } from "../artifact/Manifest.js"
import { sourceFor } from "../source/sourceFor.js"
import { ArtifactStore } from "../storage/ArtifactStore.js"

export interface BackupRunOptions<EH> {
  readonly zstdLevel: number
  /** Live counters the lease keeper reports as progress. */
  readonly counters: { -readonly [K in keyof JobProgress]: JobProgress[K] }
  readonly warnings: Array<BackupWarning>
  /** Trust on first use: called with the server's fingerprint when the source has none pinned yet. */
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, EH>
}

/**
 * One backup attempt: the source (by its kind) → the artifact (pax tar → zstd frames → age)
 * into the store as `snapshots/{id}/backup.tar.zst.enc`, then `manifest.json`, each put
 * atomically. The manifest, written last, marks the snapshot complete. On any failure or
 * interruption the snapshot's unit is discarded, so nothing partial is ever left behind.
 */
export const runBackup = <EH>(claim: BackupClaim, options: BackupRunOptions<EH>) => {
  const ref = { tenantId: claim.tenantId, sourceId: claim.source.id, snapshotId: claim.snapshotId }
  const unit = snapshotDirLocator(ref)
  const { counters, warnings } = options
  return Effect.gen(function*() {
    const store = yield* ArtifactStore
    const createdAt = new Date()
    const source = yield* sourceFor(claim.source.spec)
    yield* store.prepare(unit)
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
    const encoded = encodeArtifact(items, { recipients: claim.recipients, zstdLevel: options.zstdLevel })
    const artifact = yield* store.put(artifactLocator(ref), encoded.bytes, (n) => (counters.bytesWritten += n))
    const manifest = buildManifest({
      claim, sourceFields: source.manifestFields, counters, warnings, artifact, compression: encoded.compression, createdAt
    })
    yield* store.put(manifestLocator(ref), Stream.make(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)))

    const completion: Omit<BackupCompletion, "leaseId"> = {
      type: "backup",
      locator: artifactLocator(ref),
      storageBackend: store.backend,
      sizeBytes: artifact.sizeBytes,
      sha256: artifact.sha256,
      fileCount: counters.files,
      dirCount: counters.dirs,
      symlinkCount: counters.symlinks,
      bytesIn: counters.bytesRead,
      ageHeader: encoded.header,
      manifest,
      warnings
    }
    return completion
  }).pipe(
    Effect.scoped,
    Effect.onError(() => Effect.flatMap(ArtifactStore, (store) => Effect.ignore(store.discard(unit))))
  )
}
