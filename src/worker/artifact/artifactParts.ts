import { Chunk, Effect, Option, Stream } from "effect"
import type { ArtifactReader } from "../storage/ArtifactStore.js"
import { StorageFailed } from "../storage/StorageFailed.js"
import type { AgeError } from "./AgeStream.js"
import { ArtifactDecoder } from "./ArtifactDecoder.js"
import { SnapshotDamaged } from "./SnapshotDamaged.js"
import type { TarFormatError } from "./TarFormatError.js"
import type { TarPart } from "./TarParser.js"
import type { ZstdError } from "./ZstdFrames.js"

const LAYER = { AgeError: "age decryption failed", ZstdError: "the zstd layer is invalid", TarFormatError: "the tar layer is invalid" }

type LayerError = AgeError | ZstdError | TarFormatError

const isLayerError = (e: unknown): e is LayerError =>
  typeof e === "object" && e !== null && "_tag" in e && Object.hasOwn(LAYER, (e as { _tag: string })._tag)

const damaged = (e: LayerError) => new SnapshotDamaged({ problem: `${LAYER[e._tag]}: ${e.message}` })

/**
 * The artifact's tar entries: file → age (with the snapshot's 16-byte file key) → zstd frames →
 * tar, streamed with bounded memory, one Stream chunk per zstd frame (ArtifactDecoder does the
 * rest in plain code). Anything that does not decrypt, decompress or parse to the end-of-archive
 * blocks fails with SnapshotDamaged naming the layer and the chunk, offset or entry.
 */
export const artifactParts = (artifact: ArtifactReader, fileKey: Uint8Array): Stream.Stream<TarPart, SnapshotDamaged | StorageFailed> =>
  Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(Effect.sync(() => new ArtifactDecoder(artifact.pieces(), fileKey)), (decoder) => Effect.sync(() => decoder.close())),
      (decoder) =>
        Stream.repeatEffectChunkOption(
          Effect.async<Array<TarPart> | undefined, Option.Option<SnapshotDamaged | StorageFailed>>((resume) => {
            decoder.next().then(
              (parts) => resume(Effect.succeed(parts)),
              (e: unknown) =>
                resume(e instanceof StorageFailed ? Effect.fail(Option.some(e)) : isLayerError(e) ? Effect.fail(Option.some(damaged(e))) : Effect.die(e))
            )
          }).pipe(Effect.flatMap((parts) => (parts === undefined ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(parts)))))
        )
    )
  )
