import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { generateAgeIdentity } from "../../src/shared/crypto/AgeKeys.js"
import { encodeArtifact } from "../../src/worker/artifact/encodeArtifact.js"
import { tarStream } from "../../src/worker/artifact/PaxTar.js"
import type { ContentReader, ReadOutcome, TarEntryMeta, TarItem } from "../../src/worker/artifact/TarItem.js"

// The archive inside must be byte for byte what the reference tar writer (tarStream) makes of
// the same entries, and open with the real age and zstd.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-encode-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
const identity = generateAgeIdentity()
const keyFile = path.join(dir, "key")
fs.writeFileSync(keyFile, `${identity.secretKey}\n`)

const open = (artifact: Uint8Array) =>
  execFileSync("zstd", ["-d", "-c", "-q"], { input: execFileSync("age", ["-d", "-i", keyFile], { input: artifact, maxBuffer: 1 << 30 }), maxBuffer: 1 << 30 })

const collect = <E>(s: Stream.Stream<Uint8Array, E>) => Stream.runCollect(s).pipe(Effect.map((c) => Buffer.concat(Chunk.toArray(c))))

const meta = (name: string, size: number, type: TarEntryMeta["type"] = "file"): TarEntryMeta =>
  ({ name, type, size, mode: 0o644, mtime: 1_700_000_000, uid: 1000, gid: 1000, ...(type === "symlink" ? { linkname: "target" } : {}) })

/** Answers reads from `bytes` as a server would: short answers of at most `maxAnswer`, out of turn when asked. */
const readerOf = (bytes: Buffer, options: { maxAnswer?: number; stopAt?: number; finished: Array<[number, string | undefined]> }): ContentReader<never> => ({
  chunkBytes: 3000,
  readsInFlight: 4,
  read: (target, position, done: (o: ReadOutcome<never>) => void) =>
    setImmediate(() => {
      if (options.stopAt !== undefined && position >= options.stopAt) return done({ stop: "permission denied" })
      const n = Math.min(target.length, options.maxAnswer ?? target.length, Math.max(0, bytes.length - position))
      if (n > 0) bytes.copy(target, 0, position, position + n)
      done({ bytes: n })
    }),
  finish: (archived, stopped) => void options.finished.push([archived, stopped])
})

const encode = (items: ReadonlyArray<TarItem<never>>, frameBytes = 4096) =>
  collect(encodeArtifact(Stream.fromIterable(items), { recipients: [identity.publicKey], zstdLevel: 3, frameBytes }).bytes)

const reference = (items: ReadonlyArray<TarItem<never>>) => collect(tarStream(Stream.fromIterable(items)))

describe("encodeArtifact", () => {
  it.effect("in-memory, streamed and read-in-place entries make the same tar as the reference writer", () =>
    Effect.gen(function*() {
      const big = randomBytes(50_000)
      const small = Buffer.from("hello\n")
      const streamed = randomBytes(9_999)
      const finished: Array<[number, string | undefined]> = []
      const items: Array<TarItem<never>> = [
        { meta: meta("srv", 0, "directory"), content: Stream.empty },
        { meta: meta("srv/a.txt", small.length), content: Stream.succeed(small), data: small },
        { meta: meta("srv/big.bin", big.length), content: Stream.succeed(big), reader: readerOf(big, { maxAnswer: 1000, finished }) },
        { meta: meta("srv/link", 0, "symlink"), content: Stream.empty },
        { meta: meta("srv/streamed.bin", streamed.length), content: Stream.fromIterable([streamed.subarray(0, 5000), streamed.subarray(5000)]) }
      ]
      const artifact = yield* encode(items)
      expect(open(artifact).equals(yield* reference(items))).toBe(true)
      expect(finished).toEqual([[big.length, undefined]])
    }))

  it.effect("a file that shrank or stopped being readable keeps its listed size, zero-padded, and the reader is told how much was archived", () =>
    Effect.gen(function*() {
      const listed = 20_000
      const shrunk = randomBytes(7_000)
      const refused = randomBytes(listed)
      const finished: Array<[number, string | undefined]> = []
      const items: Array<TarItem<never>> = [
        { meta: meta("shrunk.bin", listed), content: Stream.empty, reader: readerOf(shrunk, { finished }) },
        { meta: meta("refused.bin", listed), content: Stream.empty, reader: readerOf(refused, { stopAt: 9000, finished }) }
      ]
      const tar = open(yield* encode(items, 8192))
      const expected = yield* reference([
        { meta: meta("shrunk.bin", listed), content: Stream.succeed(Buffer.concat([shrunk, Buffer.alloc(listed - shrunk.length)])) },
        { meta: meta("refused.bin", listed), content: Stream.succeed(Buffer.concat([refused.subarray(0, 9000), Buffer.alloc(listed - 9000)])) }
      ])
      expect(tar.equals(expected)).toBe(true)
      expect(finished).toEqual([[7_000, undefined], [9_000, "permission denied"]])
    }))

  it.effect("an empty archive is still a valid artifact", () =>
    Effect.gen(function*() {
      expect(open(yield* encode([])).equals(yield* reference([]))).toBe(true)
    }))

  it.effect("a reader's failure fails the stream with its error", () =>
    Effect.gen(function*() {
      const failing: ContentReader<string> = {
        chunkBytes: 1000,
        readsInFlight: 2,
        read: (_t, position, done) => setImmediate(() => done(position >= 2000 ? { error: "connection lost" } : { bytes: 1000 })),
        finish: () => {}
      }
      const items: Array<TarItem<string>> = [{ meta: meta("x.bin", 10_000), content: Stream.empty, reader: failing }]
      const result = yield* Effect.either(collect(encodeArtifact(Stream.fromIterable(items), { recipients: [identity.publicKey], zstdLevel: 3, frameBytes: 4096 }).bytes))
      expect(result).toEqual(Either.left("connection lost"))
    }))
})
