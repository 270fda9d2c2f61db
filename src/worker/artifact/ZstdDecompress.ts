import { Chunk, Effect, Either, Stream } from "effect"
import { createRequire } from "node:module"
import { defaultConcurrency, ZstdError } from "./ZstdFrames.js"
import { ZstdFrameSplitter } from "./ZstdFrameSplitter.js"

// The reading side of ZstdFrames: frames split out by their headers and decompressed on the
// libuv pool, several at a time, in order.

const zstd = createRequire(import.meta.url)("@mongodb-js/zstd/bindings.js") as {
  decompress(data: Buffer): Promise<Buffer>
}

export interface ZstdDecompressOptions {
  readonly concurrency?: number
  /** Largest compressed frame accepted; xVault's frames are about frameBytes or less. */
  readonly maxFrameBytes?: number
}

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024

/**
 * One whole frame decompressed on the libuv pool; `offset` (in the compressed stream, skippable
 * frames not counted) names it when it does not decompress.
 */
export const decompressFrame = (bytes: Buffer, offset: number): Promise<Buffer> =>
  zstd.decompress(bytes).catch((e: unknown) => {
    throw new ZstdError({ reason: `the zstd frame at offset ${offset} does not decompress (zstd decompression failed: ${String(e)})` })
  })

export interface SplitFrame {
  readonly bytes: Buffer
  /** In the compressed stream (skippable frames, which xVault never writes, are not counted). */
  readonly offset: number
}

/** Splits whole frames out of pieces of a zstd stream; each goes back to the splitter once decompressed. */
export class FrameFeed {
  private readonly splitter: ZstdFrameSplitter
  private offset = 0

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.splitter = new ZstdFrameSplitter(maxFrameBytes)
  }

  /** The frames `piece` completes; throws ZstdError on a malformed stream. `piece` may be reused once this returns. */
  push(piece: Uint8Array): Array<SplitFrame> {
    const found = this.splitter.push(piece)
    if (Either.isLeft(found)) throw new ZstdError({ reason: found.left })
    return found.right.map((bytes) => {
      const frame = { bytes, offset: this.offset }
      this.offset += bytes.length
      return frame
    })
  }

  /** Throws ZstdError when the stream ended inside a frame. */
  finish(): void {
    const end = this.splitter.finish()
    if (Either.isLeft(end)) throw new ZstdError({ reason: end.left })
  }

  /** Decompresses a frame from `push` on the libuv pool; its buffer is reused afterwards. */
  decompress(frame: SplitFrame): Promise<Buffer> {
    const release = () => this.splitter.release(frame.bytes)
    const decompressed = decompressFrame(frame.bytes, frame.offset)
    decompressed.then(release, release)
    return decompressed
  }
}

/**
 * Decompresses a concatenation of zstd frames, frame by frame, `concurrency` at a time, in
 * order. Made for what zstdFrames writes: each frame is split out once (by its headers), held
 * whole and decompressed; one that does not decompress is named by its offset.
 */
export const zstdDecompressFrames = ({ concurrency = defaultConcurrency(), maxFrameBytes = DEFAULT_MAX_FRAME_BYTES }: ZstdDecompressOptions = {}) =>
  <E, R>(input: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E | ZstdError, R> =>
    Stream.suspend(() => {
      const feed = new FrameFeed(maxFrameBytes)
      const fromFeed = (run: () => Array<SplitFrame> | void) =>
        Effect.try({ try: () => Chunk.unsafeFromArray(run() ?? []), catch: (e) => e as ZstdError })
      return input.pipe(
        Stream.mapChunksEffect((chunk) => fromFeed(() => Chunk.toReadonlyArray(chunk).flatMap((piece) => feed.push(piece)))),
        Stream.concat(Stream.unwrap(Effect.map(fromFeed(() => feed.finish()), Stream.fromChunk))),
        Stream.mapEffect((frame) => Effect.tryPromise({ try: () => feed.decompress(frame), catch: (e) => e as ZstdError }), { concurrency })
      )
    })
