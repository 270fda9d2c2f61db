import { Either } from "effect"

// Finds where each frame ends in a concatenation of zstd frames (RFC 8878 section 3.1), by
// reading only frame and block headers, so frames can be decompressed one at a time.

const FRAME_MAGIC = 0xfd2fb528
const DICT_ID_BYTES = [0, 1, 2, 4]

/** One 4 MiB frame of incompressible data (raw blocks) and the start of the next fit. */
const BUFFER_BYTES = 4 * 1024 * 1024 + 256 * 1024
const POOLED_BUFFERS = 2

interface Scan {
  /** Where the next block header starts, relative to the frame, once the frame header is read. */
  readonly next: number
  readonly checksum: boolean
}

/**
 * Input is copied once, into a staging buffer, and frames are handed out as views of it: no
 * copy per frame. A buffer goes back to the pool when every frame lent from it is `release`d
 * (after decompression); the bytes after the last frame move to a fresh buffer only when the
 * staging one is full. Memory: the frames lent out, plus one buffer.
 */
export class ZstdFrameSplitter {
  private buffer: Buffer
  /** Where the current frame starts in `buffer`; `filled`: where the input ends. */
  private start = 0
  private filled = 0
  private scan: Scan | undefined
  private offset = 0
  private readonly pool: Array<Buffer> = []
  private readonly lent = new Map<ArrayBufferLike, number>()

  constructor(private readonly maxFrameBytes: number, private readonly bufferBytes = BUFFER_BYTES) {
    this.buffer = Buffer.allocUnsafe(bufferBytes)
  }

  private uint(at: number, bytes: number): number {
    let value = 0
    for (let i = bytes - 1; i >= 0; i--) value = value * 256 + this.buffer[this.start + at + i]!
    return value
  }

  private bounded(length: number): Either.Either<number, string> {
    return length <= this.maxFrameBytes
      ? Either.right(length)
      : Either.left(`zstd frame at offset ${this.offset} is larger than ${this.maxFrameBytes} bytes`)
  }

  /** The current frame's length once its last block header is in (undefined: more input needed). */
  private frameLength(): Either.Either<number | undefined, string> {
    const buffered = this.filled - this.start
    if (this.scan === undefined) {
      if (buffered < 8) return Either.right(undefined)
      const magic = this.uint(0, 4)
      if (magic >>> 4 === 0x184d2a5) return this.bounded(8 + this.uint(4, 4))
      if (magic !== FRAME_MAGIC) return Either.left(`no zstd frame at offset ${this.offset}`)
      const descriptor = this.buffer[this.start + 4]!
      const singleSegment = (descriptor >> 5) & 1
      const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!
      const next = 5 + (singleSegment ? 0 : 1) + DICT_ID_BYTES[descriptor & 3]! + contentSizeBytes
      this.scan = { next, checksum: ((descriptor >> 2) & 1) === 1 }
    }
    for (;;) {
      const { next, checksum }: Scan = this.scan
      if (next > this.maxFrameBytes) return this.bounded(next)
      if (buffered < next + 3) return Either.right(undefined)
      const header: number = this.uint(next, 3)
      const type = (header >> 1) & 3
      if (type === 3) return Either.left(`zstd frame at offset ${this.offset} has a reserved block type`)
      const end: number = next + 3 + (type === 1 ? 1 : header >>> 3)
      if ((header & 1) === 1) return this.bounded(end + (checksum ? 4 : 0))
      this.scan = { next: end, checksum }
    }
  }

  /** Room for more input: the current frame's bytes moved to the front, or to a fresh (bigger, if need be) buffer. */
  private makeRoom() {
    const buffered = this.filled - this.start
    if (this.start > 0 && !this.lent.has(this.buffer.buffer)) {
      this.buffer.copyWithin(0, this.start, this.filled)
    } else {
      const old = this.buffer
      const size = buffered < this.bufferBytes ? this.bufferBytes : 2 * buffered
      this.buffer = (size === this.bufferBytes ? this.pool.pop() : undefined) ?? Buffer.allocUnsafe(size)
      old.copy(this.buffer, 0, this.start, this.filled)
      if (!this.lent.has(old.buffer)) this.recycle(old)
    }
    this.start = 0
    this.filled = buffered
  }

  private recycle(buffer: Buffer) {
    if (buffer.length === this.bufferBytes && this.pool.length < POOLED_BUFFERS) this.pool.push(buffer)
  }

  /**
   * Whole frames, in order, as views of the splitter's buffers (skippable frames are dropped).
   * Each is valid until it is released; `input` may be reused as soon as this returns.
   */
  push(input: Uint8Array): Either.Either<Array<Buffer>, string> {
    const frames: Array<Buffer> = []
    let at = 0
    for (;;) {
      const length = this.frameLength()
      if (Either.isLeft(length)) return Either.left(length.left)
      if (length.right !== undefined && this.start + length.right <= this.filled) {
        const frame = this.buffer.subarray(this.start, this.start + length.right)
        this.start += length.right
        this.offset += length.right
        this.scan = undefined
        if (frame.readUInt32LE(0) === FRAME_MAGIC) {
          frames.push(frame)
          this.lent.set(frame.buffer, (this.lent.get(frame.buffer) ?? 0) + 1)
        }
        continue
      }
      if (at === input.length) return Either.right(frames)
      if (this.filled === this.buffer.length) this.makeRoom()
      const n = Math.min(this.buffer.length - this.filled, input.length - at)
      this.buffer.set(input.subarray(at, at + n), this.filled)
      this.filled += n
      at += n
    }
  }

  /** A frame from `push` is no longer needed: its buffer may be reused once all of its frames are. */
  release(frame: Buffer) {
    const count = this.lent.get(frame.buffer)
    if (count === undefined) return
    if (count > 1) return void this.lent.set(frame.buffer, count - 1)
    this.lent.delete(frame.buffer)
    if (frame.buffer !== this.buffer.buffer) this.recycle(Buffer.from(frame.buffer, 0, frame.buffer.byteLength))
  }

  /** Fails when the input ended inside a frame. */
  finish(): Either.Either<void, string> {
    return this.filled === this.start ? Either.void : Either.left(`truncated zstd stream: it ends inside the frame at offset ${this.offset}`)
  }
}
