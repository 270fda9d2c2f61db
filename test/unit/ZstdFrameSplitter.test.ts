import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { ZstdFrameSplitter } from "../../src/worker/artifact/ZstdFrameSplitter.js"

// The splitter lends frames out of a few staging buffers; these cases use buffers far smaller
// than a frame, so moving, growing and reusing them all happen, and check every frame byte for byte.

const zstdFrame = (bytes: Uint8Array) => execFileSync("zstd", ["-1", "-c", "-q"], { input: bytes })

const frames = Array.from({ length: 12 }, (_, i) => zstdFrame(i % 2 === 0 ? randomBytes(3000 + i * 500) : Buffer.alloc(20_000, i)))
const stream = Buffer.concat(frames)

const split = (splitter: ZstdFrameSplitter, pieceBytes: number, release: boolean) => {
  const out: Array<Buffer> = []
  for (let at = 0; at < stream.length; at += pieceBytes) {
    const piece = Buffer.from(stream.subarray(at, at + pieceBytes))
    const found = Either.getOrThrow(splitter.push(piece))
    // a copy as it was handed out; the piece is overwritten, so nothing may still point into it
    out.push(...found.map((frame) => Buffer.from(frame)))
    piece.fill(0xee)
    if (release) found.forEach((frame) => splitter.release(frame))
  }
  Either.getOrThrow(splitter.finish())
  return out
}

describe("ZstdFrameSplitter", () => {
  it.each([[1], [7], [333], [4096], [stream.length]])("pieces of %d bytes, staging buffers of 1000: every frame whole and in order", (pieceBytes) => {
    expect(split(new ZstdFrameSplitter(1 << 20, 1000), pieceBytes, true)).toEqual(frames)
    expect(split(new ZstdFrameSplitter(1 << 20, 1000), pieceBytes, false)).toEqual(frames)
  })

  it("a frame lent out stays intact while later input is split, until it is released", () => {
    const splitter = new ZstdFrameSplitter(1 << 20, 64 * 1024)
    const held: Array<Buffer> = []
    for (let at = 0; at < stream.length; at += 2000) held.push(...Either.getOrThrow(splitter.push(stream.subarray(at, at + 2000))))
    expect(held.map((frame) => Buffer.from(frame))).toEqual(frames)
    held.forEach((frame) => splitter.release(frame))
  })

  it("the bound on a frame's size holds with small buffers too", () => {
    const splitter = new ZstdFrameSplitter(5000, 1000)
    const big = zstdFrame(randomBytes(20_000))
    expect(splitter.push(big)).toEqual(Either.left("zstd frame at offset 0 is larger than 5000 bytes"))
  })
})
