import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { zstdDecompressFrames, zstdFrames } from "../../src/worker/artifact/ZstdFrames.js"

// Frames must be what the real `zstd -d` reads, so every output is checked with it.

const unzstd = (compressed: Uint8Array) => execFileSync("zstd", ["-d", "-c", "-q"], { input: compressed, maxBuffer: 1 << 30 })

const words = ["backup", "tenant", "snapshot", "age", "frame", "zstd", "tar", "stream", "worker", "hub", "\n"]
const text = (bytes: number) => {
  const parts: Array<string> = []
  for (let n = 0; n < bytes; ) {
    const word = `${words[Math.floor(Math.random() * words.length)]} `
    parts.push(word)
    n += word.length
  }
  return Buffer.from(parts.join("")).subarray(0, bytes)
}

const pieces = (bytes: Uint8Array, size: number) =>
  Stream.fromIterable(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)))

const frames = <E>(s: Stream.Stream<Uint8Array, E>) => Stream.runCollect(s).pipe(Effect.map(Chunk.toArray))
const joined = <E>(s: Stream.Stream<Uint8Array, E>) => Effect.map(frames(s), (all) => Buffer.concat(all))

describe("ZstdFrames", () => {
  it.effect("several frames are one stream for zstd -d, and for zstdDecompressFrames", () =>
    Effect.gen(function* () {
      const input = text(3 * 65_536 + 1234)
      const out = yield* frames(pieces(input, 10_000).pipe(zstdFrames({ level: 3, frameBytes: 65_536 })))
      expect(out.length).toBe(4)
      const compressed = Buffer.concat(out)
      expect(unzstd(compressed).equals(input)).toBe(true)
      const decoded = yield* joined(pieces(compressed, 1000).pipe(zstdDecompressFrames()))
      expect(decoded.equals(input)).toBe(true)
    }))

  it.effect("empty input is one empty frame, which zstd -d accepts", () =>
    Effect.gen(function* () {
      const compressed = yield* joined(Stream.empty.pipe(zstdFrames({ level: 3 })))
      expect(compressed.length).toBeGreaterThan(0)
      expect(unzstd(compressed).length).toBe(0)
      expect((yield* joined(Stream.make(compressed).pipe(zstdDecompressFrames()))).length).toBe(0)
    }))

  it.effect("frames come out in input order under concurrency", () =>
    Effect.gen(function* () {
      // Random frames compress slowly, text frames fast: a reordering would show.
      const parts = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? randomBytes(32_768) : text(32_768)))
      const input = Buffer.concat(parts)
      const out = yield* frames(pieces(input, 5000).pipe(zstdFrames({ level: 9, frameBytes: 32_768, concurrency: 4 })))
      expect(out.length).toBe(24)
      out.forEach((frame, i) => expect(unzstd(frame).equals(parts[i]!)).toBe(true))
      expect((yield* joined(Stream.fromIterable(out).pipe(zstdDecompressFrames({ concurrency: 4 })))).equals(input)).toBe(true)
    }))

  it.effect("the level is honoured", () =>
    Effect.gen(function* () {
      const input = text(1024 * 1024)
      const size = (level: number) => Effect.map(joined(Stream.make(input).pipe(zstdFrames({ level }))), (b) => b.length)
      const [fast, small] = [yield* size(1), yield* size(19)]
      expect(small).toBeLessThan(fast * 0.9)
    }))

  it.effect("reads zstd CLI output: content sizes, checksums, several frames, skippable frames", () =>
    Effect.gen(function* () {
      const a = text(200_000)
      const b = randomBytes(100_000)
      const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from("xyz")])
      const compressed = Buffer.concat([
        execFileSync("zstd", ["-19", "-c", "--check"], { input: a }),
        skippable,
        execFileSync("zstd", ["-1", "-c", "--no-check", "--no-content-size"], { input: b })
      ])
      expect((yield* joined(pieces(compressed, 777).pipe(zstdDecompressFrames()))).equals(Buffer.concat([a, b]))).toBe(true)
    }))

  it.effect("truncated or foreign input and bad options are ZstdErrors", () =>
    Effect.gen(function* () {
      const compressed = yield* joined(Stream.make(text(100_000)).pipe(zstdFrames({ level: 3 })))
      const failure = (s: Stream.Stream<Uint8Array, unknown>) => Effect.map(Effect.flip(Stream.runDrain(s)), (e: any) => `${e._tag}: ${e.message}`)
      expect(yield* failure(Stream.make(compressed.subarray(0, compressed.length - 10)).pipe(zstdDecompressFrames())))
        .toBe("ZstdError: truncated zstd stream: it ends inside the frame at offset 0")
      expect(yield* failure(Stream.make(Buffer.from("not zstd at all")).pipe(zstdDecompressFrames())))
        .toBe("ZstdError: no zstd frame at offset 0")
      expect(yield* failure(Stream.make(compressed).pipe(zstdDecompressFrames({ maxFrameBytes: 1000 }))))
        .toMatch(/^ZstdError: zstd frame at offset 0 is larger than 1000 bytes/)
      expect(yield* failure(Stream.make(compressed).pipe(zstdFrames({ level: 0 })))).toMatch(/^ZstdError: zstd level must be/)
    }))
})
