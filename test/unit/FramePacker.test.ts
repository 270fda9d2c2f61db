import { describe, expect, it } from "vitest"
import { FramePacker, FramePool } from "../../src/worker/artifact/FramePacker.js"

const packer = (frameBytes: number) => {
  const frames: Array<Buffer> = []
  const pool = new FramePool(frameBytes, 2)
  // Copied: the frame's buffer goes back to the pool once compressed.
  const p = new FramePacker(pool, (bytes, frame) => {
    frames.push(Buffer.from(bytes))
    pool.give(frame.buffer)
  })
  return { p, frames, pool }
}

describe("FramePacker", () => {
  it("cuts written bytes and zeros into frames of exactly frameBytes, the last one shorter", () => {
    const { frames, p } = packer(8)
    p.write(Buffer.from("abcdef"))
    p.zeros(5)
    p.write(Buffer.from("0123456789"))
    expect(frames.map((f) => f.toString("latin1"))).toEqual(["abcdef\0\0", "\0\0\0" + "01234"])
    p.finish()
    expect(Buffer.concat(frames).toString("latin1")).toBe("abcdef\0\0\0\0\0" + "0123456789")
    expect(frames.map((f) => f.length)).toEqual([8, 8, 5])
  })

  it("hands a frame on only once the regions reserved in it are settled, and in order", () => {
    const { frames, p } = packer(8)
    p.write(Buffer.from("hd"))
    const [first, second, ...more] = p.reserve(10) // 6 bytes in frame 1, 4 in frame 2
    expect(more).toEqual([])
    expect(first!.target.length).toBe(6)
    expect(second!.target.length).toBe(4)
    p.write(Buffer.from("tail"))
    p.finish()
    expect(frames).toEqual([])
    second!.target.write("WXYZ")
    p.settle(second!)
    expect(frames).toEqual([]) // frame 2 is ready, but frame 1 goes first
    first!.target.write("abcdef")
    p.settle(first!)
    expect(frames.map((f) => f.toString())).toEqual(["hdabcdef", "WXYZtail"])
    expect(p.held).toBe(0)
  })

  it("an empty input still gives one empty frame; frames already out mean no extra one", () => {
    const empty = packer(8)
    empty.p.finish()
    expect(empty.frames.map((f) => f.length)).toEqual([0])
    const exact = packer(4)
    exact.p.write(Buffer.from("abcd"))
    exact.p.finish()
    expect(exact.frames.map((f) => f.toString())).toEqual(["abcd"])
  })

  it("reuses the buffers given back, and keeps no more than asked", () => {
    const pool = new FramePool(4, 1)
    const a = pool.take()
    const b = pool.take()
    pool.give(a)
    pool.give(b)
    pool.give(Buffer.alloc(3)) // not a frame of this pool
    expect(pool.take()).toBe(a)
    expect(pool.take()).not.toBe(b)
  })
})
