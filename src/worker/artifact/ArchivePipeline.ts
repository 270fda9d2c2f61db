import { Cause } from "effect"
import type { PayloadSealer } from "./AgePayload.js"
import { FramePacker, FramePool, type PackedFrame } from "./FramePacker.js"
import { compressFrame, ZstdError } from "./ZstdFrames.js"

export interface ArchivePipelineOptions {
  readonly frameBytes: number
  readonly level: number
  /** Frames compressed at once on the libuv pool. */
  readonly concurrency: number
  /** Frames held at most, from packing to written; the producer waits for room beyond it. */
  readonly maxFrames: number
  /** The age header and payload nonce: the first bytes out. */
  readonly head: Buffer
  readonly sealer: PayloadSealer
}

interface Compression {
  readonly frame: PackedFrame
  result?: Buffer
}

/**
 * Tar bytes → independent zstd frames (`concurrency` at once on the libuv pool) → age payload
 * chunks, as plain callbacks with bounded buffers: one step per 4 MiB frame, not per read.
 * Sealed frames come out in order through `take`. Memory: at most `maxFrames` input frames
 * and as many compressed ones, whatever the archive's size.
 */
export class ArchivePipeline {
  readonly packer: FramePacker
  private readonly pool: FramePool
  private readonly toCompress: Array<PackedFrame> = []
  private readonly compressing: Array<Compression> = []
  private running = 0
  private readonly output: Array<Array<Uint8Array>> = []
  private ended = false
  private done = false
  private failure: Cause.Cause<unknown> | undefined
  private roomWaiters: Array<() => void> = []
  private outputWaiter: (() => void) | undefined

  constructor(private readonly options: ArchivePipelineOptions) {
    this.pool = new FramePool(options.frameBytes, options.maxFrames)
    this.packer = new FramePacker(this.pool, (_, frame) => {
      this.toCompress.push(frame)
      this.pump()
    })
    this.output.push([options.head])
  }

  private get framesHeld(): number {
    return this.packer.held + this.toCompress.length + this.compressing.length + this.output.length
  }

  /** Whether the producer may add another frame's worth; after a failure always (the producer is about to be stopped). */
  get hasRoom(): boolean {
    return this.failure !== undefined || this.framesHeld < this.options.maxFrames
  }

  /** `wake` is called once, when there may be room again. */
  onRoom(wake: () => void): void {
    if (this.hasRoom) return wake()
    this.roomWaiters.push(wake)
  }

  /** After the last byte of the archive. */
  end(): void {
    this.ended = true
    this.packer.finish()
    this.pump()
  }

  fail(cause: Cause.Cause<unknown>): void {
    this.failure ??= cause
    this.wake()
  }

  /** The next sealed frame's buffers, "end" after the last, "wait" (then `onOutput`), or the failure. */
  take(): Array<Uint8Array> | "end" | "wait" | Cause.Cause<unknown> {
    if (this.failure !== undefined) return this.failure
    const next = this.output.shift()
    if (next !== undefined) {
      this.wakeRoom()
      return next
    }
    return this.done ? "end" : "wait"
  }

  onOutput(wake: () => void): void {
    this.outputWaiter = wake
  }

  private pump() {
    const { concurrency, level } = this.options
    while (this.failure === undefined && this.toCompress.length > 0 && this.running < concurrency) {
      const frame = this.toCompress.shift()!
      const job: Compression = { frame }
      this.compressing.push(job)
      this.running++
      compressFrame(frame.buffer.subarray(0, frame.filled), level).then(
        (result) => {
          this.running--
          job.result = result
          this.pool.give(frame.buffer)
          this.drain()
          this.pump()
        },
        (e) => this.fail(Cause.fail(new ZstdError({ reason: `zstd compression failed: ${String(e)}` })))
      )
    }
    if (this.ended && !this.done && this.packer.held === 0 && this.toCompress.length === 0 && this.compressing.length === 0) {
      this.done = true
      this.output.push(this.options.sealer.finish())
      this.wake()
    }
  }

  // Sealing goes in frame order: age chunks are numbered.
  private drain() {
    while (this.compressing.length > 0 && this.compressing[0]!.result !== undefined) {
      const { result } = this.compressing.shift()!
      const parts = this.options.sealer.push(result!).flat()
      if (parts.length > 0) this.output.push(parts)
    }
    this.wake()
  }

  private wake() {
    const output = this.outputWaiter
    this.outputWaiter = undefined
    output?.()
    this.wakeRoom()
  }

  private wakeRoom() {
    if (!this.hasRoom || this.roomWaiters.length === 0) return
    const waiters = this.roomWaiters
    this.roomWaiters = []
    for (const wake of waiters) wake()
  }
}
