import { createHash, type Hash } from "node:crypto"
import * as fs from "node:fs/promises"
import { Data, Effect, Option, type Scope, Stream } from "effect"
import { resolveLocator } from "../storage/SnapshotPaths.js"
import { StorageFailed } from "../storage/StorageFailed.js"
import type { SnapshotToRead } from "./SnapshotToRead.js"

/** The artifact is gone or is not what the Hub recorded: reading it again gives the same answer. */
export class SnapshotDamaged extends Data.TaggedError("SnapshotDamaged")<{ readonly problem: string }> {}

const READ_BYTES = 1024 * 1024

export interface ArtifactFile {
  /** The file from its first byte, hashed as it is read. */
  readonly content: Stream.Stream<Uint8Array, StorageFailed>
  /**
   * The file's SHA-256 and size: reads only what the last run of `content` did not (all of it
   * when content never ran), so a verify that stopped at a damaged chunk still hashes the whole file.
   */
  readonly digest: Effect.Effect<{ readonly sha256: string; readonly size: number }, StorageFailed>
}

const isMissing = (e: unknown) => ["ENOENT", "ENOTDIR"].includes((e as { code?: string }).code ?? "")

/**
 * Opens a snapshot's artifact (closed with the Scope) after checking the locator stays in the
 * storage base and the file has the recorded size. `onRead` counts bytes read, for progress.
 */
export const openArtifact = (
  storageBase: string,
  snapshot: SnapshotToRead,
  onRead: (bytes: number) => void
): Effect.Effect<ArtifactFile, SnapshotDamaged | StorageFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const file = resolveLocator(storageBase, snapshot.locator)
    if (file === undefined) {
      return yield* new SnapshotDamaged({ problem: `its locator "${snapshot.locator}" is outside this worker's storage` })
    }
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => fs.open(file, "r"),
        catch: (e) =>
          isMissing(e)
            ? new SnapshotDamaged({ problem: `the artifact file ${snapshot.locator} is missing` })
            : StorageFailed.from("open", snapshot.locator, e)
      }),
      (h) => Effect.promise(() => h.close().catch(() => {}))
    )
    const stat = yield* Effect.tryPromise({ try: () => handle.stat(), catch: (e) => StorageFailed.from("stat", snapshot.locator, e) })
    if (!stat.isFile()) return yield* new SnapshotDamaged({ problem: `the artifact ${snapshot.locator} is not a regular file` })
    if (stat.size !== snapshot.sizeBytes) {
      return yield* new SnapshotDamaged({ problem: `the artifact is ${stat.size} bytes, the Hub recorded ${snapshot.sizeBytes}` })
    }

    let hash: Hash = createHash("sha256")
    let position = 0
    // Uninterruptible, so `position` and the hash always agree when `digest` takes over.
    const readNext = (count: boolean) =>
      Effect.uninterruptible(Effect.tryPromise({
        try: async () => {
          const buffer = Buffer.allocUnsafe(READ_BYTES)
          const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, position)
          const bytes = buffer.subarray(0, bytesRead)
          hash.update(bytes)
          position += bytesRead
          if (count) onRead(bytesRead)
          return bytes
        },
        catch: (e) => StorageFailed.from("read", snapshot.locator, e)
      }))
    const content = Stream.suspend(() => {
      hash = createHash("sha256")
      position = 0
      return Stream.repeatEffectOption(
        readNext(true).pipe(
          Effect.mapError(Option.some),
          Effect.flatMap((bytes) => (bytes.length === 0 ? Effect.fail(Option.none()) : Effect.succeed(bytes)))
        )
      )
    })
    const digest = Effect.gen(function*() {
      while ((yield* readNext(false)).length > 0);
      return { sha256: hash.digest("hex"), size: position }
    })
    return { content, digest }
  })

/** Checks the whole file against the Hub's record (size, then SHA-256). */
export const checkDigest = (snapshot: SnapshotToRead, digest: { readonly sha256: string; readonly size: number }) =>
  digest.size !== snapshot.sizeBytes
    ? Option.some(`the artifact is ${digest.size} bytes, the Hub recorded ${snapshot.sizeBytes}`)
    : digest.sha256 !== snapshot.sha256.toLowerCase()
    ? Option.some(`the artifact's sha256 is ${digest.sha256}, the Hub recorded ${snapshot.sha256}`)
    : Option.none()
