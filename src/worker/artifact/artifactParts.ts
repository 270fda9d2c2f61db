import { Stream } from "effect"
import type { ArtifactReader } from "../storage/ArtifactStore.js"
import type { StorageFailed } from "../storage/StorageFailed.js"
import { type AgeError, ageDecrypt } from "./AgeStream.js"
import { SnapshotDamaged } from "./SnapshotDamaged.js"
import type { TarFormatError } from "./TarFormatError.js"
import type { TarPart } from "./TarParser.js"
import { tarParts } from "./tarParts.js"
import { type ZstdError, zstdDecompressFrames } from "./ZstdFrames.js"

const LAYER = { AgeError: "age decryption failed", ZstdError: "the zstd layer is invalid", TarFormatError: "the tar layer is invalid" }

const damaged = (e: AgeError | ZstdError | TarFormatError) => new SnapshotDamaged({ problem: `${LAYER[e._tag]}: ${e.message}` })

/**
 * The artifact's tar entries: file → age (with the snapshot's 16-byte file key) → zstd frames →
 * tar, streamed with bounded memory. Anything that does not decrypt, decompress or parse to the
 * end-of-archive blocks fails with SnapshotDamaged naming the layer and the chunk, offset or entry.
 */
export const artifactParts = (artifact: ArtifactReader, fileKey: Uint8Array): Stream.Stream<TarPart, SnapshotDamaged | StorageFailed> =>
  artifact.content.pipe(
    ageDecrypt(fileKey),
    zstdDecompressFrames(),
    tarParts,
    Stream.mapError((e) => (e._tag === "StorageFailed" ? e : damaged(e)))
  )
