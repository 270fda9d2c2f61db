import { Chunk, Data, Effect, Either, Stream } from "effect"
import { createRequire } from "node:module"
import * as os from "node:os"
import { FramePool } from "./FramePacker.js"

// zstd as independent frames compressed in parallel on the libuv pool. Concatenated frames are
// one valid zstd stream: `zstd -d` reads them as it reads its own output.

// @mongodb-js/zstd 1.2.2's index.js calls the binding as compress(data), dropping the level:
// every level would compress as 3. Its native binding (bindings.js, same package) takes it.
const zstd = createRequire(import.meta.url)("@mongodb-js/zstd/bindings.js") as {
  compress(data: Buffer, level: number): Promise<Buffer>
}

export class ZstdError extends Data.TaggedError("ZstdError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }

  /** Only compression reaches a job (a damaged frame on read is SnapshotDamaged): worth another attempt. */
  get retryable(): true {
    return true
  }
}

export const DEFAULT_LEVEL = 3
export const DEFAULT_FRAME_BYTES = 4 * 1024 * 1024

// The libuv pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) also runs file system
// calls: leave one thread for writing the artifact.
const poolThreads = Number(process.env["UV_THREADPOOL_SIZE"] ?? 4) || 4
export const defaultConcurrency = () => Math.max(1, Math.min(os.availableParallelism(), poolThreads - 1))

/** One frame compressed on the libuv pool; `frame` must not change until the promise settles. */
export const compressFrame = (frame: Buffer, level: number): Promise<Buffer> => zstd.compress(frame, level)

export interface ZstdFramesOptions {
  /** 1..19; default 3. */
  readonly level?: number
  /** Uncompressed bytes per frame; default 4 MiB. */
  readonly frameBytes?: number
  /** Frames compressed at once; default: cores, at most one less than the libuv pool. */
  readonly concurrency?: number
}

/** Cuts the input into `frameBytes` buffers (copies: the frames are read on other threads). */
const frames = <E, R>(input: Stream.Stream<Uint8Array, E, R>, frameBytes: number, pool: FramePool) =>
  Stream.suspend(() => {
    let frame = pool.take()
    let filled = 0
    let emitted = false
    const cut = (bytes: Uint8Array, out: Array<Buffer>) => {
      for (let offset = 0; offset < bytes.length; ) {
        const n = Math.min(frameBytes - filled, bytes.length - offset)
        frame.set(bytes.subarray(offset, offset + n), filled)
        filled += n
        offset += n
        if (filled === frameBytes) {
          out.push(frame)
          frame = pool.take()
          filled = 0
        }
      }
    }
    const whole = Stream.mapChunks(input, (chunk) => {
      const out: Array<Buffer> = []
      for (const bytes of chunk) cut(bytes, out)
      if (out.length > 0) emitted = true
      return Chunk.unsafeFromArray(out)
    })
    // An empty input still gets one (empty) frame: `zstd -d` rejects a zero-byte file.
    const last = Stream.suspend(() => (filled > 0 || !emitted ? Stream.make(frame.subarray(0, filled)) : Stream.empty))
    return Stream.concat(whole, last)
  })

export const checkOptions = ({ level = DEFAULT_LEVEL, frameBytes = DEFAULT_FRAME_BYTES, concurrency = defaultConcurrency() }: ZstdFramesOptions) =>
  !Number.isInteger(level) || level < 1 || level > 19
    ? Either.left(new ZstdError({ reason: `zstd level must be an integer from 1 to 19, got ${level}` }))
    : !Number.isInteger(frameBytes) || frameBytes < 1
    ? Either.left(new ZstdError({ reason: `zstd frame size must be a positive integer, got ${frameBytes}` }))
    : !Number.isInteger(concurrency) || concurrency < 1
    ? Either.left(new ZstdError({ reason: `zstd concurrency must be a positive integer, got ${concurrency}` }))
    : Either.right({ level, frameBytes, concurrency })

/**
 * Compresses a stream into independent zstd frames of `frameBytes` input each, `concurrency`
 * at a time, emitted in input order. Memory: about 2 x concurrency frames.
 */
export const zstdFrames = (options: ZstdFramesOptions = {}) =>
  <E, R>(input: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E | ZstdError, R> =>
    Either.match(checkOptions(options), {
      onLeft: (error) => Stream.fail(error),
      onRight: ({ level, frameBytes, concurrency }) =>
        Stream.suspend(() => {
          const pool = new FramePool(frameBytes, concurrency + 1)
          return frames(input, frameBytes, pool).pipe(Stream.mapEffect((frame) =>
            Effect.tryPromise({
              try: () => zstd.compress(frame, level),
              catch: (e) => new ZstdError({ reason: `zstd compression failed: ${String(e)}` })
            }).pipe(Effect.ensuring(Effect.sync(() => pool.give(frame)))), { concurrency }))
        })
    })

export { type ZstdDecompressOptions, zstdDecompressFrames } from "./ZstdDecompress.js"
