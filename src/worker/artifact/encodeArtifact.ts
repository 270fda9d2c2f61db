import { Cause, Chunk, Effect, Exit, Option, Stream } from "effect"
import { ageEncryptor } from "./AgeStream.js"
import { ArchivePipeline } from "./ArchivePipeline.js"
import { contentPadding, END_OF_ARCHIVE } from "./PaxTar.js"
import { encodeHeader } from "./TarHeader.js"
import type { ContentReader, TarItem } from "./TarItem.js"
import { checkOptions, DEFAULT_FRAME_BYTES, defaultConcurrency, type ZstdError } from "./ZstdFrames.js"

/** Frames held from packing to written: two compressing, one filling, one sealed ahead of the disk. */
const MAX_FRAMES = 4

export interface EncodedArtifact<E, R> {
  /** The age header at the start of the artifact: the Hub stores it to unwrap the file key later. */
  readonly header: string
  /** What the manifest records about compression. */
  readonly compression: { readonly level: number; readonly frameBytes: number }
  /** `backup.tar.zst.enc`: pax tar → independent zstd frames → age; one chunk per sealed frame. */
  readonly bytes: Stream.Stream<Uint8Array, E, R>
}

const waitForRoom = (pipeline: ArchivePipeline) => Effect.async<void>((resume) => pipeline.onRoom(() => resume(Effect.void)))

/** An entry whose content is in memory (or has none): header, content cut or padded to its size. */
const writeInline = (pipeline: ArchivePipeline, { data, meta }: TarItem<unknown>) => {
  const { packer } = pipeline
  packer.write(encodeHeader(meta))
  if (meta.type !== "file") return
  const n = Math.min(data?.length ?? 0, meta.size)
  if (n > 0) packer.write(n === data!.length ? data! : data!.subarray(0, n))
  packer.zeros(meta.size - n + contentPadding(meta.size))
}

/**
 * A large file read straight into the frames: up to `readsInFlight` reads outstanding, each
 * into the bytes it will occupy in the archive. A read that hits the end of the file (it shrank)
 * or is refused stops the reading; what was not read is zeros, so the entry keeps its size.
 */
const readInto = <E>(pipeline: ArchivePipeline, { meta }: TarItem<E>, reader: ContentReader<E>) =>
  Effect.async<void, E>((resume) => {
    const { packer } = pipeline
    const size = meta.size
    packer.write(encodeHeader(meta))
    let next = 0
    let inFlight = 0
    let end = size
    let stopped: string | undefined
    let over = false
    let waiting = false
    const complete = () => {
      over = true
      packer.zeros(size - next + contentPadding(size))
      reader.finish(end, stopped)
      resume(Effect.void)
    }
    // Reads go out in bursts, once half the window has answered: the requests of one tick leave
    // in one socket write (SftpConnection corks it) rather than one write per request.
    const topUp = () => {
      if (over) return
      if (inFlight > reader.readsInFlight / 2) return
      while (!over && end === size && next < size && inFlight < reader.readsInFlight) {
        if (!pipeline.hasRoom) {
          if (!waiting) {
            waiting = true
            pipeline.onRoom(() => {
              waiting = false
              topUp()
            })
          }
          break
        }
        for (const region of packer.reserve(Math.min(reader.chunkBytes, size - next))) {
          const position = next
          next += region.target.length
          inFlight++
          const settle = () => {
            inFlight--
            packer.settle(region)
            topUp()
          }
          const attempt = (target: Buffer, at: number) =>
            reader.read(target, at, (outcome) => {
              if (over) return
              if ("error" in outcome) {
                over = true
                return resume(Effect.fail(outcome.error))
              }
              if ("stop" in outcome || outcome.bytes === 0 || at >= end) {
                if ("stop" in outcome) stopped ??= outcome.stop
                end = Math.min(end, at)
                target.fill(0)
                return settle()
              }
              if (outcome.bytes < target.length) return attempt(target.subarray(outcome.bytes), at + outcome.bytes)
              settle()
            })
          attempt(region.target, position)
        }
      }
      if (!over && inFlight === 0 && (next === size || end < size)) complete()
    }
    topUp()
    return Effect.sync(() => {
      over = true
    })
  })

/** A file whose content only comes as a stream (a source kind without a reader): copied in, cut or padded to its size. */
const copyContent = <E>(pipeline: ArchivePipeline, { content, meta }: TarItem<E>) =>
  Effect.suspend(() => {
    const { packer } = pipeline
    const size = meta.size
    let read = 0
    packer.write(encodeHeader(meta))
    return Stream.runForEachWhile(content, (bytes) => {
      if (read < size) packer.write(read + bytes.length > size ? bytes.subarray(0, size - read) : bytes)
      read += bytes.length
      // One piece past the size is enough to know the file grew: stop reading.
      return read > size ? Effect.succeed(false) : pipeline.hasRoom ? Effect.succeed(true) : Effect.as(waitForRoom(pipeline), true)
    }).pipe(Effect.tap(() => packer.zeros(Math.max(0, size - read) + contentPadding(size))))
  })

/** Every item into the pipeline, in order; one Effect step per batch of in-memory entries, not per entry. */
const produce = <E, E2, R>(items: Stream.Stream<TarItem<E>, E2, R>, pipeline: ArchivePipeline) =>
  Stream.runForEachChunk(items, (chunk) => {
    const batch = Chunk.toReadonlyArray(chunk)
    let i = 0
    const rest: Effect.Effect<void, E> = Effect.suspend(() => {
      while (i < batch.length) {
        if (!pipeline.hasRoom) return Effect.zipRight(waitForRoom(pipeline), rest)
        const item = batch[i++]!
        if (item.meta.type === "file" && item.data === undefined) {
          return Effect.zipRight(item.reader === undefined ? copyContent(pipeline, item) : readInto(pipeline, item, item.reader), rest)
        }
        writeInline(pipeline, item)
      }
      return Effect.void
    })
    return rest
  }).pipe(Effect.zipRight(Effect.sync(() => {
    pipeline.packer.write(END_OF_ARCHIVE)
    pipeline.end()
  })))

/**
 * The artifact of `items`, as a stream (docs/artifact-format.md). The items are read in a
 * fiber of their own into an ArchivePipeline, which compresses and seals while reading goes on;
 * the stream hands out its sealed frames and ends the fiber (and the source) when it ends.
 * A file that shrank while read is padded to its listed size.
 */
export const encodeArtifact = <E, E2, R>(
  items: Stream.Stream<TarItem<E>, E2, R>,
  options: { readonly recipients: ReadonlyArray<string>; readonly zstdLevel: number; readonly frameBytes?: number }
): EncodedArtifact<E | E2 | ZstdError, R> => {
  const encryption = ageEncryptor(options.recipients)
  const frameBytes = options.frameBytes ?? DEFAULT_FRAME_BYTES
  const compression = { level: options.zstdLevel, frameBytes }
  const bytes = Stream.unwrapScoped(Effect.gen(function*() {
    const { level, concurrency } = yield* checkOptions({ level: options.zstdLevel, frameBytes, concurrency: defaultConcurrency() })
    const { head, sealer } = encryption.start()
    const pipeline = new ArchivePipeline({ frameBytes, level, concurrency, maxFrames: MAX_FRAMES, head, sealer })
    yield* Effect.forkScoped(produce(items, pipeline).pipe(
      Effect.onExit((exit) => Effect.sync(() => Exit.isFailure(exit) && pipeline.fail(exit.cause)))
    ))
    const next = Effect.async<Chunk.Chunk<Uint8Array>, Option.Option<E | E2 | ZstdError>>((resume) => {
      const attempt = (): void => {
        const taken = pipeline.take()
        if (taken === "wait") return pipeline.onOutput(attempt)
        if (taken === "end") return resume(Effect.fail(Option.none()))
        if (Cause.isCause(taken)) return resume(Effect.failCause(Cause.map(taken as Cause.Cause<E | E2 | ZstdError>, Option.some)))
        resume(Effect.succeed(Chunk.unsafeFromArray(taken)))
      }
      attempt()
    })
    return Stream.repeatEffectChunkOption(next)
  }))
  return { header: encryption.header, compression, bytes }
}
