import { Effect, Either, Option, Stream } from "effect"
import { artifactParts } from "../artifact/artifactParts.js"
import { checkWhole, openSnapshot } from "../artifact/openSnapshot.js"
import type { Counters, SnapshotToRead } from "../restore/SnapshotToRead.js"
import type { ArtifactStore } from "../storage/ArtifactStore.js"
import type { StorageFailed } from "../storage/StorageFailed.js"

export type VerifyOutcome =
  /** `bytes`: file content in the archive, what a full restore would write. */
  | { readonly intact: true; readonly entries: number; readonly bytes: number }
  /** `problem`: one sentence, e.g. which age chunk, zstd frame or tar entry is damaged, and at what offset. */
  | { readonly intact: false; readonly problem: string }

export interface VerifyOptions {
  readonly snapshot: SnapshotToRead
  /** The snapshot's 16-byte age file key, unwrapped by the Hub. */
  readonly fileKey: Uint8Array
  readonly counters: Counters
}

/**
 * Checks a snapshot on this worker: the artifact's size and SHA-256 against the Hub's record, and
 * that it decrypts, decompresses and reads as a tar to its end-of-archive blocks, in one pass
 * over the file. Damage (a missing file included: the data is gone) is an outcome, not an error;
 * only an I/O failure of this worker's storage is (StorageFailed, worth a retry).
 */
export const verifySnapshot = (options: VerifyOptions): Effect.Effect<VerifyOutcome, StorageFailed, ArtifactStore> => {
  const { snapshot, counters } = options
  return Effect.gen(function*() {
    const artifact = yield* openSnapshot(snapshot, (n) => (counters.bytesRead += n))
    let entries = 0
    let bytes = 0
    const read = yield* artifactParts(artifact, options.fileKey).pipe(
      Stream.runForEachChunk((parts) =>
        Effect.sync(() => {
          for (const part of parts) {
            if (part._tag === "Data") bytes += part.bytes.length
            else if (part._tag === "Entry") {
              entries++
              if (part.entry.type === "file") counters.files++
              else if (part.entry.type === "directory") counters.dirs++
              else if (part.entry.type === "symlink") counters.symlinks++
            }
          }
        })
      ),
      Effect.either
    )
    if (Either.isLeft(read) && read.left._tag === "StorageFailed") return yield* read.left
    // the whole file is hashed even when decoding stopped early, so both findings can be reported
    const whole = yield* Effect.either(checkWhole(artifact))
    if (Either.isLeft(whole) && whole.left._tag === "StorageFailed") return yield* whole.left
    const digest = Either.isLeft(whole) && whole.left._tag === "SnapshotDamaged" ? Option.some(whole.left.problem) : Option.none()
    const decoding = Either.isLeft(read) && read.left._tag === "SnapshotDamaged" ? Option.some(read.left.problem) : Option.none()
    const problems = [...Option.toArray(digest), ...Option.toArray(decoding)]
    if (problems.length === 0) return { intact: true, entries, bytes } as const
    if (Option.isSome(digest) && Option.isNone(decoding)) {
      problems.push("yet it decrypts and reads to its end: it is another artifact than the one recorded")
    }
    return { intact: false, problem: problems.join("; ") } as const
  }).pipe(
    Effect.scoped,
    Effect.catchTag("SnapshotDamaged", (e) => Effect.succeed({ intact: false, problem: e.problem } as const))
  )
}
