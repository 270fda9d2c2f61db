import { Stream } from "effect"
import { ageEncryptor } from "./AgeStream.js"
import { tarStream } from "./PaxTar.js"
import type { TarItem } from "./TarItem.js"
import { DEFAULT_FRAME_BYTES, type ZstdError, zstdFrames } from "./ZstdFrames.js"

/** Tar output chunks (mostly one SFTP read, at most 128 KiB, each) held ahead of compression. */
const ARCHIVE_BUFFER_CHUNKS = 64
/** Encrypted chunks (one compressed frame each, at most 4 MiB) held ahead of storage. */
const CIPHERTEXT_BUFFER_CHUNKS = 4

export interface EncodedArtifact<E, R> {
  /** The age header at the start of the artifact: the Hub stores it to unwrap the file key later. */
  readonly header: string
  /** What the manifest records about compression. */
  readonly compression: { readonly level: number; readonly frameBytes: number }
  /** `backup.tar.zst.enc`: pax tar → independent zstd frames → age. */
  readonly bytes: Stream.Stream<Uint8Array, E, R>
}

/**
 * The artifact of `items`, as a stream (docs/artifact-format.md). The buffers let each stage run
 * while the next is busy: reads go on while frames are compressed, and compression goes on while
 * storage writes. They bound memory too. A file that shrank while read is padded to its listed size.
 */
export const encodeArtifact = <E, E2, R>(
  items: Stream.Stream<TarItem<E>, E2, R>,
  options: { readonly recipients: ReadonlyArray<string>; readonly zstdLevel: number }
): EncodedArtifact<E | E2 | ZstdError, R> => {
  const encryption = ageEncryptor(options.recipients)
  const compression = { level: options.zstdLevel, frameBytes: DEFAULT_FRAME_BYTES }
  const bytes = tarStream(items).pipe(
    Stream.bufferChunks({ capacity: ARCHIVE_BUFFER_CHUNKS }),
    zstdFrames(compression),
    encryption.encrypt,
    Stream.bufferChunks({ capacity: CIPHERTEXT_BUFFER_CHUNKS })
  )
  return { header: encryption.header, compression, bytes }
}
