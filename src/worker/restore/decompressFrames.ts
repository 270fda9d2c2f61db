import { Chunk, Effect, Either, Stream } from "effect"
import { ZstdFrameSplitter } from "../archive/ZstdFrameSplitter.js"
import { defaultConcurrency, ZstdError, zstdDecompressFrames } from "../archive/ZstdFrames.js"

// zstdDecompressFrames, one frame at a time, so a frame that does not decompress is named by its offset.

const MAX_FRAME_BYTES = 64 * 1024 * 1024

interface Frame {
  readonly bytes: Buffer
  /** In the decrypted stream (skippable frames, which xVault never writes, are not counted). */
  readonly offset: number
}

const decompressOne = ({ bytes, offset }: Frame) =>
  Stream.runCollect(zstdDecompressFrames({ concurrency: 1 })(Stream.succeed(bytes))).pipe(
    Effect.map((chunk) => (chunk.length === 1 ? Chunk.unsafeHead(chunk) : Buffer.concat(Chunk.toArray(chunk)))),
    Effect.mapError((e) => new ZstdError({ reason: `the zstd frame at offset ${offset} does not decompress (${e.reason})` }))
  )

/** Decompresses a concatenation of zstd frames, several frames at once, in order. */
export const decompressFrames = <E, R>(input: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E | ZstdError, R> =>
  Stream.suspend(() => {
    const splitter = new ZstdFrameSplitter(MAX_FRAME_BYTES)
    let offset = 0
    const fail = (reason: string) => Effect.fail(new ZstdError({ reason }))
    return input.pipe(
      Stream.mapChunksEffect((chunk) => {
        const frames: Array<Frame> = []
        for (const piece of chunk) {
          const found = splitter.push(piece)
          if (Either.isLeft(found)) return fail(found.left)
          for (const bytes of found.right) {
            frames.push({ bytes, offset })
            offset += bytes.length
          }
        }
        return Effect.succeed(Chunk.unsafeFromArray(frames))
      }),
      Stream.concat(Stream.execute(Effect.suspend(() => Either.match(splitter.finish(), { onLeft: fail, onRight: () => Effect.void })))),
      Stream.mapEffect(decompressOne, { concurrency: defaultConcurrency() })
    )
  })
