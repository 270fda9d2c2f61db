/** A part of a frame handed out to be filled later (a read lands there), then settled. */
export interface FrameRegion {
  readonly frame: PackedFrame
  /** The bytes to fill: a view of the frame's buffer. */
  readonly target: Buffer
}

export interface PackedFrame {
  readonly buffer: Buffer
  /** Bytes of the frame in use, written or reserved. */
  filled: number
  /** Reserved regions not yet settled: the frame is handed on only when there are none. */
  pending: number
  closed: boolean
}

/** Frame buffers of one size, reused: a fresh 4 MiB buffer per frame would make V8 collect every few frames. */
export class FramePool {
  private readonly free: Array<Buffer> = []
  constructor(readonly frameBytes: number, private readonly keep: number) {}
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.frameBytes)
  }
  give(buffer: Buffer): void {
    if (buffer.length === this.frameBytes && this.free.length < this.keep) this.free.push(buffer)
  }
}

/**
 * Packs a byte stream (the tar archive) into frames of exactly `frameBytes` (the last one
 * shorter), handed to `onFrame` in order. Bytes are either copied in (`write`, `zeros`) or
 * reserved (`reserve`) for a read to land in place, with no buffer of its own; a frame is handed
 * on once it is full and every region reserved in it has been settled.
 */
export class FramePacker {
  private readonly waiting: Array<PackedFrame> = []
  private open: PackedFrame | undefined
  private emitted = 0

  constructor(private readonly pool: FramePool, private readonly onFrame: (bytes: Buffer, frame: PackedFrame) => void) {}

  /** Frames taken from the pool and not yet handed on (the open one included). */
  get held(): number {
    return this.waiting.length
  }

  write(bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.length;) {
      const frame = this.current()
      const n = Math.min(frame.buffer.length - frame.filled, bytes.length - offset)
      frame.buffer.set(n === bytes.length ? bytes : bytes.subarray(offset, offset + n), frame.filled)
      frame.filled += n
      offset += n
      this.closeIfFull(frame)
    }
  }

  zeros(n: number): void {
    for (let left = n; left > 0;) {
      const frame = this.current()
      const k = Math.min(frame.buffer.length - frame.filled, left)
      frame.buffer.fill(0, frame.filled, frame.filled + k)
      frame.filled += k
      left -= k
      this.closeIfFull(frame)
    }
  }

  /** `n` bytes to be filled in place, as one region per frame they fall into (one or two for n ≤ frameBytes). */
  reserve(n: number): Array<FrameRegion> {
    const regions: Array<FrameRegion> = []
    for (let left = n; left > 0;) {
      const frame = this.current()
      const k = Math.min(frame.buffer.length - frame.filled, left)
      regions.push({ frame, target: frame.buffer.subarray(frame.filled, frame.filled + k) })
      frame.pending++
      frame.filled += k
      left -= k
      this.closeIfFull(frame)
    }
    return regions
  }

  settle(region: FrameRegion): void {
    region.frame.pending--
    this.handOn()
  }

  /** Closes the last frame; an empty archive still gets one (empty) frame, as zstd -d rejects a zero-byte file. */
  finish(): void {
    const frame = this.open ?? (this.emitted === 0 && this.waiting.length === 0 ? this.current() : undefined)
    if (frame !== undefined) {
      frame.closed = true
      this.open = undefined
    }
    this.handOn()
  }

  private current(): PackedFrame {
    if (this.open === undefined) {
      this.open = { buffer: this.pool.take(), filled: 0, pending: 0, closed: false }
      this.waiting.push(this.open)
    }
    return this.open
  }

  private closeIfFull(frame: PackedFrame) {
    if (frame.filled < frame.buffer.length) return
    frame.closed = true
    this.open = undefined
    this.handOn()
  }

  private handOn() {
    while (this.waiting.length > 0 && this.waiting[0]!.closed && this.waiting[0]!.pending === 0) {
      const frame = this.waiting.shift()!
      this.emitted++
      this.onFrame(frame.buffer.subarray(0, frame.filled), frame)
    }
  }
}
