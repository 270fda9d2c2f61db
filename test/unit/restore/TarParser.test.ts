import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { tarStream } from "../../../src/worker/artifact/PaxTar.js"
import type { TarEntryMeta, TarItem } from "../../../src/worker/artifact/TarItem.js"
import { TarParser } from "../../../src/worker/artifact/TarParser.js"
import { tarParts } from "../../../src/worker/artifact/tarParts.js"

// The reader must read what our writer and GNU tar write, whatever the chunking, and name the
// entry and offset when an archive is damaged.

const root = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-tar-read-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex")

interface Read {
  readonly name: string
  readonly type: string
  readonly size: number
  readonly mode: number
  readonly mtime: number
  readonly uid: number
  readonly gid: number
  readonly linkname: string
  readonly sha: string
}

const inPieces = (bytes: Uint8Array, sizes: ReadonlyArray<number>) => {
  const out: Array<Uint8Array> = []
  for (let i = 0, k = 0; i < bytes.length; k++) out.push(bytes.subarray(i, (i += sizes[k % sizes.length]!)))
  return out
}

/** Every entry with a hash of its content, read from `tar` cut into pieces of the given sizes. */
const readAll = (tar: Uint8Array, sizes: ReadonlyArray<number> = [tar.length || 1]) =>
  Stream.runCollect(tarParts(Stream.fromIterable(inPieces(tar, sizes)))).pipe(
    Effect.map((parts) => {
      const entries: Array<Read> = []
      let content: Array<Uint8Array> = []
      for (const part of Chunk.toArray(parts)) {
        if (part._tag === "Data") content.push(part.bytes)
        if (part._tag !== "EntryEnd") continue
        const { offset: _offset, typeflag: _typeflag, ...entry } = part.entry
        entries.push({ ...entry, sha: sha(Buffer.concat(content)) })
        content = []
      }
      return entries
    })
  )

const failure = (tar: Uint8Array) => Effect.map(Effect.flip(readAll(tar)), (e) => e.message)

const base = { mode: 0o644, mtime: 1_700_000_000, uid: 1000, gid: 1000, size: 0 }
const file = (name: string, content: Uint8Array, extra: Partial<TarEntryMeta> = {}): TarItem =>
  ({ meta: { ...base, name, type: "file", size: content.length, ...extra }, content: Stream.make(content) })
const dir = (name: string, extra: Partial<TarEntryMeta> = {}): TarItem =>
  ({ meta: { ...base, mode: 0o755, name, type: "directory", ...extra }, content: Stream.empty })
const symlink = (name: string, linkname: string): TarItem =>
  ({ meta: { ...base, mode: 0o777, name, type: "symlink", linkname }, content: Stream.empty })

const write = (items: ReadonlyArray<TarItem>) =>
  Stream.runCollect(tarStream(Stream.fromIterable(items))).pipe(Effect.map((c) => Buffer.concat(Chunk.toArray(c))))

const expected = (item: TarItem, content: Uint8Array = new Uint8Array(0)): Read => ({
  name: item.meta.type === "directory" ? `${item.meta.name}/` : item.meta.name,
  type: item.meta.type,
  size: item.meta.size,
  mode: item.meta.mode,
  mtime: item.meta.mtime,
  uid: item.meta.uid,
  gid: item.meta.gid,
  linkname: item.meta.linkname ?? "",
  sha: sha(content)
})

const longName = `srv/${"d".repeat(90)}/${"f".repeat(120)}.bin`
const long = randomBytes(70_001)
const unicode = randomBytes(513)
const items: ReadonlyArray<readonly [TarItem, Uint8Array?]> = [
  [dir("srv", { mtime: 1_600_000_000.25 })],
  [file("srv/zero", new Uint8Array(0), { mode: 0o600 }), new Uint8Array(0)],
  [file("srv/small.txt", Buffer.from("hello\n"), { mode: 0o4755, uid: 3_000_000, gid: 3_000_001 }), Buffer.from("hello\n")],
  [file(longName, long, { mtime: 1_700_000_000.5 }), long],
  [file("srv/données/日本語 ✓.txt", unicode), unicode],
  [symlink("srv/link", `../${"t".repeat(150)}`)]
]

describe("TarParser", () => {
  it.effect("reads back what the PaxTar writer wrote, pax records included, whatever the chunk boundaries", () =>
    Effect.gen(function*() {
      const tar = yield* write(items.map(([item]) => item))
      const want = items.map(([item, content]) => expected(item, content))
      expect(yield* readAll(tar)).toEqual(want)
      expect(yield* readAll(tar, [1])).toEqual(want)
      expect(yield* readAll(tar, [511, 3, 4096, 100_000])).toEqual(want)
    }))

  it.effect("reads GNU tar's posix, gnu (long-name headers) and ustar (prefix field) archives", () =>
    Effect.gen(function*() {
      const src = path.join(root, "gnu")
      const deep = `${"p".repeat(60)}/${"q".repeat(60)}`
      fs.mkdirSync(path.join(src, deep), { recursive: true })
      fs.writeFileSync(path.join(src, deep, "f.txt"), "deep\n")
      fs.writeFileSync(path.join(src, `${"n".repeat(120)}.bin`), randomBytes(1000))
      fs.symlinkSync(`${"l".repeat(120)}`, path.join(src, "longlink"))
      for (const format of ["posix", "gnu", "ustar"]) {
        const names = format === "ustar" ? [deep] : ["."]
        const tar = execFileSync("tar", ["-c", `--format=${format}`, "-C", src, "--sort=name", ...names])
        const read = yield* readAll(tar, [700])
        const onDisk = read.map((entry) => {
          const full = path.join(src, entry.name)
          const stat = fs.lstatSync(full)
          return {
            type: stat.isSymbolicLink() ? "symlink" : stat.isDirectory() ? "directory" : "file",
            mode: stat.mode & 0o7777,
            size: stat.isFile() ? stat.size : 0,
            linkname: stat.isSymbolicLink() ? fs.readlinkSync(full) : "",
            sha: sha(stat.isFile() ? fs.readFileSync(full) : new Uint8Array(0))
          }
        })
        expect(read.map(({ type, mode, size, linkname, sha }) => ({ type, mode, size, linkname, sha }))).toEqual(onDisk)
        expect(read.map((e) => e.name.replace(/^\.\//, "").replace(/\/$/, ""))).toContain(`${deep}/f.txt`)
        if (format !== "ustar") expect(read.map((e) => e.name)).toContain(`./${"n".repeat(120)}.bin`)
      }
    }))

  it.effect("a bad checksum names the offset and the entry before it", () =>
    Effect.gen(function*() {
      const tar = yield* write([file("a.txt", Buffer.from("a")), file("b.txt", Buffer.from("b"))])
      tar[1024 + 10] ^= 0x01 // inside b.txt's header name
      expect(yield* failure(tar)).toBe(`tar header at offset 1024 (after entry "a.txt") has a bad checksum`)
    }))

  it.effect("an archive cut inside a content, or before its end blocks, is truncated", () =>
    Effect.gen(function*() {
      const tar = yield* write([file("a.txt", randomBytes(2000))])
      expect(yield* failure(tar.subarray(0, 1000))).toBe(`truncated: the tar ends inside the content of entry "a.txt" (offset 1000)`)
      expect(yield* failure(tar.subarray(0, 512 + 2048))).toBe(`truncated: the tar ends without its end-of-archive blocks at offset 2560 (after entry "a.txt")`)
      expect(yield* failure(tar.subarray(0, 512 + 2048 + 512))).toBe(
        `truncated: the tar ends after one of its two end-of-archive blocks at offset 3072 (after entry "a.txt")`
      )
    }))

  it.effect("a zero block then another header is a lone zero block; an invalid number names its field", () =>
    Effect.gen(function*() {
      const a = yield* write([file("a.txt", Buffer.from("a"))])
      const lone = Buffer.concat([a.subarray(0, 1024), Buffer.alloc(512), a.subarray(0, 1024), Buffer.alloc(1024)])
      expect(yield* failure(lone)).toBe(`a lone zero block before the header at offset 1536 (after entry "a.txt")`)
      const bad = Buffer.from(a)
      bad.write("9", 124 + 3) // size field: not octal
      const sum = bad.subarray(0, 512).reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0)
      bad.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148)
      expect(yield* failure(bad)).toBe(`tar header at offset 0 (the first entry) has an invalid size field`)
    }))

  it("an oversized or malformed pax header fails naming its offset", () => {
    const parser = new TarParser()
    const header = Buffer.alloc(512)
    header.write("./PaxHeaders/x", 0)
    header.write("0000644\0", 100)
    header.write(`${(2 * 1024 * 1024).toString(8).padStart(11, "0")}\0`, 124)
    header.write("x", 156)
    header.write("ustar\x0000", 257)
    const sum = header.reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0)
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148)
    const result = parser.push(header)
    expect(Either.isLeft(result) && result.left.message).toBe(
      "the extended header at offset 0 (the first entry) is 2097152 bytes, more than 1048576"
    )
  })
})
