import { Either } from "effect"

// Finds where each frame ends in a concatenation of zstd frames (RFC 8878 section 3.1), by
// reading only frame and block headers, so frames can be decompressed one at a time.

const FRAME_MAGIC = 0xfd2fb528
const DICT_ID_BYTES = [0, 1, 2, 4]

interface Scan {
  /** Where the next block header starts, once the frame header is read. */
  readonly next: number
  readonly checksum: boolean
}

export class ZstdFrameSplitter {
  private pieces: Array<Uint8Array> = []
  private buffered = 0
  private scan: Scan | undefined
  private offset = 0

  constructor(private readonly maxFrameBytes: number) {}

  private byteAt(i: number): number {
    for (const piece of this.pieces) {
      if (i < piece.length) return piece[i]!
      i -= piece.length
    }
    throw new RangeError("zstd frame splitter read past its input")
  }

  private uint(at: number, bytes: number): number {
    let value = 0
    for (let i = bytes - 1; i >= 0; i--) value = value * 256 + this.byteAt(at + i)
    return value
  }

  private bounded(length: number): Either.Either<number, string> {
    return length <= this.maxFrameBytes
      ? Either.right(length)
      : Either.left(`zstd frame at offset ${this.offset} is larger than ${this.maxFrameBytes} bytes`)
  }

  /** A fresh copy of the first `n` buffered bytes, which are dropped. */
  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const piece = this.pieces[0]!
      const used = Math.min(piece.length, n - filled)
      out.set(piece.subarray(0, used), filled)
      filled += used
      if (used === piece.length) this.pieces.shift()
      else this.pieces[0] = piece.subarray(used)
    }
    this.buffered -= n
    this.offset += n
    this.scan = undefined
    return out
  }

  /** The current frame's length once its last block header is in (undefined: more input needed). */
  private frameLength(): Either.Either<number | undefined, string> {
    if (this.scan === undefined) {
      if (this.buffered < 8) return Either.right(undefined)
      const magic = this.uint(0, 4)
      if (magic >>> 4 === 0x184d2a5) return this.bounded(8 + this.uint(4, 4))
      if (magic !== FRAME_MAGIC) return Either.left(`no zstd frame at offset ${this.offset}`)
      const descriptor = this.byteAt(4)
      const singleSegment = (descriptor >> 5) & 1
      const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!
      const next = 5 + (singleSegment ? 0 : 1) + DICT_ID_BYTES[descriptor & 3]! + contentSizeBytes
      this.scan = { next, checksum: ((descriptor >> 2) & 1) === 1 }
    }
    for (;;) {
      const { next, checksum }: Scan = this.scan
      if (next > this.maxFrameBytes) return this.bounded(next)
      if (this.buffered < next + 3) return Either.right(undefined)
      const header: number = this.uint(next, 3)
      const type = (header >> 1) & 3
      if (type === 3) return Either.left(`zstd frame at offset ${this.offset} has a reserved block type`)
      const end: number = next + 3 + (type === 1 ? 1 : header >>> 3)
      if ((header & 1) === 1) return this.bounded(end + (checksum ? 4 : 0))
      this.scan = { next: end, checksum }
    }
  }

  /** Whole frames, in order; skippable frames are dropped. */
  push(input: Uint8Array): Either.Either<Array<Buffer>, string> {
    if (input.length > 0) this.pieces.push(input)
    this.buffered += input.length
    const frames: Array<Buffer> = []
    for (;;) {
      const length = this.frameLength()
      if (Either.isLeft(length)) return Either.left(length.left)
      if (length.right === undefined || length.right > this.buffered) return Either.right(frames)
      // A copy: the frame is decompressed on another thread while the input moves on.
      const frame = this.take(length.right)
      if (frame.readUInt32LE(0) === FRAME_MAGIC) frames.push(frame)
    }
  }

  /** Fails when the input ended inside a frame. */
  finish(): Either.Either<void, string> {
    return this.buffered === 0 ? Either.void : Either.left(`truncated zstd stream: it ends inside the frame at offset ${this.offset}`)
  }
}
