import { Either } from "effect"
import type { PieceReader } from "../storage/ArtifactStore.js"
import { Decryption } from "./AgeDecrypt.js"
import { type TarPart, TarParser } from "./TarParser.js"
import { FrameFeed, type SplitFrame } from "./ZstdDecompress.js"
import { defaultConcurrency } from "./ZstdFrames.js"

type Queued =
  | { readonly _tag: "Frame"; readonly decompressed: Promise<Buffer> }
  | { readonly _tag: "End" }
  | { readonly _tag: "Failed"; readonly error: unknown }

/**
 * age → zstd → tar over an artifact's pieces, as plain callback code: the stages are bounded
 * buffers, not stream steps. A producer reads ahead (decrypting and splitting frames on the main
 * thread) and keeps `framesAhead` frames decompressing on the libuv pool; `next` hands out the
 * tar parts of one frame at a time, in order. Failures come in order too: everything before the
 * damage is handed out first. Memory: a read buffer, the frames in flight and their output.
 */
export class ArtifactDecoder {
  private readonly queue: Array<Queued> = []
  private readonly parser = new TarParser()
  /** Frames handed to zstd whose output `next` has not taken yet. */
  private inFlight = 0
  private started = false
  private closed = false
  private wakeConsumer: (() => void) | undefined
  private wakeProducer: (() => void) | undefined

  constructor(
    private readonly reader: PieceReader,
    private readonly fileKey: Uint8Array,
    private readonly framesAhead = defaultConcurrency()
  ) {}

  /**
   * The tar parts of the next frame; undefined once the archive ended well. Rejects with the
   * AgeError, ZstdError or TarFormatError that names the damage, or the reader's StorageFailed.
   */
  async next(): Promise<Array<TarPart> | undefined> {
    if (!this.started) {
      this.started = true
      void this.produce()
    }
    while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wakeConsumer = resolve))
    const item = this.queue.shift()!
    if (item._tag === "Failed") throw item.error
    if (item._tag === "End") {
      this.queue.unshift(item)
      this.parsed(this.parser.finish())
      return undefined
    }
    const decompressed = await item.decompressed
    this.inFlight--
    this.wakeProducer?.()
    return this.parsed(this.parser.push(decompressed))
  }

  /** Stops reading ahead; frames already decompressing finish and are dropped. */
  close() {
    this.closed = true
    this.wakeProducer?.()
  }

  private parsed<A>(result: Either.Either<A, unknown>): A {
    if (Either.isLeft(result)) throw result.left
    return result.right
  }

  private put(item: Queued) {
    this.queue.push(item)
    this.wakeConsumer?.()
  }

  private async produce() {
    try {
      const decryption = new Decryption(this.fileKey)
      const feed = new FrameFeed()
      const split = async (plaintext: ReadonlyArray<Uint8Array>) => {
        for (const piece of plaintext) {
          for (const frame of feed.push(piece)) await this.decompress(feed, frame)
        }
      }
      for (;;) {
        const piece = await this.reader.next()
        if (this.closed) return
        if (piece === undefined) break
        await split(this.parsed(decryption.push(piece)))
      }
      await split([this.parsed(decryption.finish())])
      feed.finish()
      this.put({ _tag: "End" })
    } catch (error) {
      this.put({ _tag: "Failed", error })
    }
  }

  private async decompress(feed: FrameFeed, frame: SplitFrame) {
    while (this.inFlight >= this.framesAhead && !this.closed) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve))
    }
    if (this.closed) throw new Error("closed")
    this.inFlight++
    const decompressed = feed.decompress(frame)
    // awaited by `next`, in order; until then a failure must not count as unhandled
    decompressed.catch(() => {})
    this.put({ _tag: "Frame", decompressed })
  }
}
