import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { encodeHeader, tarStream } from "../../src/worker/artifact/PaxTar.js"
import type { TarEntryMeta, TarItem } from "../../src/worker/artifact/TarItem.js"

// What matters is what GNU tar makes of the archive, so every case extracts or lists with it.

const root = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-tar-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
let runs = 0

const collect = <E>(s: Stream.Stream<Uint8Array, E>) =>
  Stream.runCollect(s).pipe(Effect.map((c) => Buffer.concat(Chunk.toArray(c))))

const base = { mode: 0o644, mtime: 1_700_000_000, uid: 1000, gid: 1000, size: 0 }
const dir = (name: string, extra: Partial<TarEntryMeta> = {}): TarItem<string> =>
  ({ meta: { ...base, mode: 0o755, name, type: "directory", ...extra }, content: Stream.fail("directory content was read") })
const file = (name: string, content: Uint8Array, extra: Partial<TarEntryMeta> = {}, pieces?: ReadonlyArray<Uint8Array>): TarItem<string> =>
  ({ meta: { ...base, name, type: "file", size: content.length, ...extra }, content: Stream.fromIterable(pieces ?? [content]) })
const symlink = (name: string, linkname: string, extra: Partial<TarEntryMeta> = {}): TarItem<string> =>
  ({ meta: { ...base, mode: 0o777, name, type: "symlink", linkname, ...extra }, content: Stream.fail("symlink content was read") })

const longName = `srv/data/${"n".repeat(120)}.txt`
const deepName = `srv/data/${`${"d".repeat(60)}/`.repeat(4)}${"f".repeat(20)}.txt`
const unicodeTarget = `données/${"é".repeat(60)}/日本語 ✓.txt`

const items: ReadonlyArray<TarItem<string>> = [
  dir("srv"),
  dir("srv/data", { mode: 0o750, uid: 4242, gid: 4343, mtime: 1_600_000_000.5 }),
  dir("srv/data/empty/", { mode: 0o700 }),
  file("srv/data/zero.bin", new Uint8Array(0), { mode: 0o600 }),
  file("srv/data/with space.txt", Buffer.from("spaces\n"), { mtime: 1_700_000_000.123 }),
  dir("srv/data/données"),
  file("srv/data/données/日本語 ✓.txt", randomBytes(600), { mode: 0o755, mtime: 1_700_000_000.25 }),
  file(longName, randomBytes(512)),
  file(deepName, randomBytes(70_000), { uid: 3_000_000, gid: 3_000_001 }),
  file("srv/data/pieces.bin", Buffer.from("abcdefghij"), {}, [Buffer.from("abc"), Buffer.from("defg"), Buffer.from("hij")]),
  symlink("srv/data/link", "with space.txt"),
  symlink("srv/data/longlink", unicodeTarget, { mtime: 1_650_000_000 }),
  // Depth first, as a walk lists them: GNU tar sets a directory's times once it leaves it.
  dir("srv/tmp", { mode: 0o1777 })
]

// From the decimal a person would write, the way the pax record carries it (no float noise).
const nanoseconds = (t: number) => {
  const [seconds, fraction = ""] = String(t).split(".")
  return BigInt(seconds!) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0"))
}

const extract = (archive: Uint8Array) => {
  const into = path.join(root, `x${runs++}`)
  fs.mkdirSync(into)
  execFileSync("tar", ["-xf", "-", "-C", into, "--same-owner", "-p", "--numeric-owner"], { input: archive })
  return into
}

describe("PaxTar", () => {
  it.effect("GNU tar extracts names, contents, modes, owners, mtimes and symlinks", () =>
    Effect.gen(function* () {
      const archive = yield* collect(tarStream(Stream.fromIterable(items)))
      expect(archive.length % 512).toBe(0)
      const into = extract(archive)
      for (const { meta, content } of items) {
        const at = path.join(into, meta.name)
        const stat = fs.lstatSync(at, { bigint: true })
        expect([meta.name, Number(stat.uid), Number(stat.gid)]).toEqual([meta.name, meta.uid, meta.gid])
        expect([meta.name, stat.mtimeNs]).toEqual([meta.name, nanoseconds(meta.mtime)])
        if (meta.type === "symlink") {
          expect(fs.readlinkSync(at)).toBe(meta.linkname)
          continue
        }
        expect([meta.name, Number(stat.mode) & 0o7777]).toEqual([meta.name, meta.mode])
        expect(stat.isDirectory()).toBe(meta.type === "directory")
        if (meta.type === "file") expect(fs.readFileSync(at).equals(yield* collect(content))).toBe(true)
      }
      const listing = execFileSync("tar", ["--numeric-owner", "-tvf", "-"], { input: archive }).toString()
      expect(listing).toMatch(/^-rw------- 1000\/1000 +0 .* srv\/data\/zero\.bin$/m)
      expect(listing).toMatch(/^drwxr-x--- 4242\/4343 +0 .* srv\/data\/$/m)
      expect(listing).toMatch(/^drwxrwxrwt .* srv\/tmp\/$/m)
      expect(listing).toContain("3000000/3000001")
    }))

  it.effect("content that disagrees with meta.size is cut or zero-padded, and reported", () =>
    Effect.gen(function* () {
      const reports: Array<[string, number, number]> = []
      const archive = yield* collect(tarStream(Stream.make(
        file("grew.txt", Buffer.from("hello"), {}, [Buffer.from("hel"), Buffer.from("lo wo"), Buffer.from("rld")]),
        file("exact.txt", Buffer.from("hello"), {}, [Buffer.from("hello"), Buffer.alloc(0)]),
        file("shrank.txt", Buffer.from("hello world"), {}, [Buffer.from("hello")]),
        file("after.txt", Buffer.from("still aligned"))
      ), { onSizeMismatch: (...report) => reports.push(report) }))
      const into = extract(archive)
      expect(fs.readFileSync(path.join(into, "grew.txt"), "latin1")).toBe("hello")
      expect(fs.readFileSync(path.join(into, "exact.txt"), "latin1")).toBe("hello")
      expect(fs.readFileSync(path.join(into, "shrank.txt"), "latin1")).toBe("hello\0\0\0\0\0\0")
      expect(fs.readFileSync(path.join(into, "after.txt"), "latin1")).toBe("still aligned")
      expect(reports).toEqual([["grew.txt", 5, 8], ["shrank.txt", 11, 5]])
    }))

  it.effect("an entry whose content is already in memory is written byte for byte as a streamed one", () =>
    Effect.gen(function* () {
      const contents: Array<[string, Uint8Array]> = [["a.txt", Buffer.from("hello\n")], ["empty", Buffer.alloc(0)], ["b.bin", randomBytes(70_000)]]
      const streamed = yield* collect(tarStream(Stream.fromIterable(contents.map(([name, content]) => file(name, content)))))
      const inMemory = contents.map(([name, content]) => ({ ...file(name, content), content: Stream.fail("streamed"), data: content }))
      expect((yield* collect(tarStream(Stream.fromIterable(inMemory)))).equals(streamed)).toBe(true)

      const reports: Array<[string, number, number]> = []
      const short = { ...file("short.txt", Buffer.from("hello world")), data: Buffer.from("hello") }
      const archive = yield* collect(tarStream(Stream.make(short), { onSizeMismatch: (...report) => reports.push(report) }))
      expect(fs.readFileSync(path.join(extract(archive), "short.txt"), "latin1")).toBe("hello\0\0\0\0\0\0")
      expect(reports).toEqual([["short.txt", 11, 5]])
    }))

  it.effect("an empty archive is two zero blocks", () =>
    Effect.gen(function* () {
      const archive = yield* collect(tarStream(Stream.empty))
      expect(archive.equals(Buffer.alloc(1024))).toBe(true)
      expect(execFileSync("tar", ["-tf", "-"], { input: archive }).toString()).toBe("")
    }))

  it("a size of 8 GiB or more goes to a pax size record", () => {
    const size = 9 * 1024 ** 3
    const header = encodeHeader({ ...base, name: "big.bin", type: "file", size })
    const records = Buffer.from(header.subarray(512, 1024)).toString("latin1").replace(/\0+$/, "")
    expect(records).toBe("19 size=9663676416\n")
    const listed = spawnSync("tar", ["--numeric-owner", "-tvf", "-"], { input: Buffer.concat([header, Buffer.alloc(4096)]) })
    expect(listed.stdout.toString()).toMatch(/^-rw-r--r-- 1000\/1000 9663676416 .* big\.bin$/m)
  })

  it("writes valid checksums and self-counting pax record lengths", () => {
    // 94 + 5 bytes of record text: the length field grows from two digits to three.
    for (const name of [`${"x".repeat(93)}é`, `${"x".repeat(94)}é`, "plain.txt", longName]) {
      const header = encodeHeader({ ...base, name, type: "file", size: 1 })
      for (let at = 0; at < header.length; at += 512) {
        const block = header.subarray(at, at + 512)
        if (block[257] !== 0x75) continue // a block of pax records, not a header
        const stored = parseInt(Buffer.from(block.subarray(148, 154)).toString(), 8)
        expect(block.reduce((sum, b, i) => sum + (i >= 148 && i < 156 ? 32 : b), 0)).toBe(stored)
      }
      if (header.length === 512) continue
      const body = Buffer.from(header.subarray(512, header.length - 512))
      const length = parseInt(body.toString("latin1"), 10)
      expect(body.subarray(0, length).toString("utf8")).toBe(`${length} path=${name}\n`)
    }
  })
})
