import { execFileSync } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import type { TarEntryMeta } from "../../src/worker/artifact/TarItem.js"
import { openSftp } from "../../src/worker/sftp/openSftp.js"
import type { SftpConnection } from "../../src/worker/sftp/SftpConnection.js"
import type { SourceOptions, SourceWarning } from "../../src/worker/source/SourceOptions.js"
import { sourceItems } from "../../src/worker/sftp/sourceItems.js"
import { DEFAULT_TUNING } from "../../src/worker/source/SourceOptions.js"
import { SFTP_TRANSPORTS, sftpTransportLayer } from "../support/SftpTransports.js"
import { Sshd, SshdLive, type SshdServer } from "../support/Sshd.js"

const MiB = 1024 * 1024

const connect = (server: SshdServer) =>
  openSftp({
    host: server.host,
    port: server.port,
    username: server.username,
    credentials: { _tag: "privateKey", privateKey: Redacted.make(server.privateKey) },
    hostKey: server.hostKeyFingerprint
  })

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex")

interface Received {
  readonly meta: TarEntryMeta
  readonly sha256: string
  readonly bytes: number
}

/** Runs the source to the end, consuming every item's content in order, as the tar writer does. */
const collect = (connection: SftpConnection, options: Omit<SourceOptions, "onWarning">) =>
  Effect.gen(function*() {
    const warnings: Array<SourceWarning> = []
    let bytesRead = 0
    const items = yield* sourceItems(connection, {
      ...options,
      onWarning: (warning) => warnings.push(warning),
      onBytesRead: (n) => (bytesRead += n)
    }).pipe(
      Stream.mapEffect((item) =>
        Stream.runFold(item.content, { hash: createHash("sha256"), bytes: 0 }, (acc, chunk) => {
          acc.hash.update(chunk)
          return { hash: acc.hash, bytes: acc.bytes + chunk.length }
        }).pipe(Effect.map(({ bytes, hash }): Received => ({ meta: item.meta, sha256: hash.digest("hex"), bytes })))
      ),
      Stream.runCollect
    )
    return { items: Chunk.toArray(items), warnings, bytesRead }
  })

let testDirs = 0
/** A fresh directory under the server's root, so tests sharing the server do not see each other's files. */
const freshDir = (server: SshdServer) => {
  const dir = path.join(server.root, `t${++testDirs}`)
  fs.mkdirSync(dir)
  return dir
}

const write = (file: string, data: string | Uint8Array, mode = 0o644) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, data)
  fs.chmodSync(file, mode)
}

const writeRandom = (file: string, size: number) => {
  const hash = createHash("sha256")
  const fd = fs.openSync(file, "w")
  for (let written = 0; written < size; written += MiB) {
    const piece = randomBytes(Math.min(MiB, size - written))
    hash.update(piece)
    fs.writeSync(fd, piece)
  }
  fs.closeSync(fd)
  return hash.digest("hex")
}

const nameOf = (file: string) => file.slice(1)
const namesOf = (items: ReadonlyArray<Received>) => items.map((item) => item.meta.name)

describe.each(SFTP_TRANSPORTS)("over %s", (transport) => {
  layer(Layer.merge(SshdLive(), sftpTransportLayer(transport)), { excludeTestServices: true })("sourceItems", (it) => {
    it.scoped("yields a tree depth first in byte order of names, with lstat metadata and exact contents", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const root = path.join(freshDir(server), "tree")
        const long = `${"long-name-".repeat(12)}.bin`
        const files: Record<string, string | Uint8Array> = {
          "B": "upper case sorts first\n",
          "Z": "",
          "a dir/file one.txt": "spaces in names\n",
          "a dir/ünïcödé-ファイル.txt": "unicode\n",
          [`deep/er/${long}`]: "a name over 100 bytes\n",
          "medium.bin": randomBytes(3 * MiB + 17), // larger than smallFileMax: read through the pipelined reader
          "zero": "",
          "é": "non-ASCII sorts after ASCII\n"
        }
        for (const [name, data] of Object.entries(files)) write(path.join(root, name), data)
        fs.mkdirSync(path.join(root, "empty"))
        fs.symlinkSync("a dir/file one.txt", path.join(root, "link"))
        fs.chmodSync(path.join(root, "B"), 0o4750)
        fs.chmodSync(path.join(root, "a dir"), 0o1770)
        fs.utimesSync(path.join(root, "zero"), 1_700_000_000, 1_600_000_000)
        execFileSync("mkfifo", [path.join(root, "fifo")])

        const connection = yield* connect(server)
        const run = yield* collect(connection, { paths: [root] })
        const expected = [
          "", "/B", "/Z", "/a dir", "/a dir/file one.txt", "/a dir/ünïcödé-ファイル.txt", "/deep", "/deep/er",
          `/deep/er/${long}`, "/empty", "/link", "/medium.bin", "/zero", "/é"
        ].map((name) => nameOf(root + name))
        expect(namesOf(run.items)).toEqual(expected)
        expect(run.warnings).toEqual([{ path: path.join(root, "fifo"), message: "skipped: a fifo cannot be backed up" }])

        for (const item of run.items) {
          const file = `/${item.meta.name}`
          const stat = fs.lstatSync(file)
          const type = stat.isDirectory() ? "directory" : stat.isSymbolicLink() ? "symlink" : "file"
          expect(item.meta).toEqual({
            name: item.meta.name,
            type,
            size: type === "file" ? stat.size : 0,
            mode: stat.mode & 0o7777,
            mtime: Math.floor(stat.mtimeMs / 1000),
            uid: stat.uid,
            gid: stat.gid,
            ...(type === "symlink" ? { linkname: fs.readlinkSync(file) } : {})
          })
          expect(item.sha256).toBe(type === "file" ? sha256(fs.readFileSync(file)) : sha256(""))
        }
        const byName = new Map(run.items.map((item) => [item.meta.name, item.meta]))
        expect(byName.get(nameOf(path.join(root, "B")))?.mode).toBe(0o4750)
        expect(byName.get(nameOf(path.join(root, "a dir")))?.mode).toBe(0o1770)
        expect(byName.get(nameOf(path.join(root, "zero")))?.mtime).toBe(1_600_000_000)
        expect(byName.get(nameOf(path.join(root, "link")))?.linkname).toBe("a dir/file one.txt")
        expect(run.bytesRead).toBe(Object.values(files).reduce((n, data) => n + Buffer.byteLength(data), 0))

        // Same order and bytes however many entries are in flight and whichever reader each file goes through.
        for (const tuning of [{ filesInFlight: 1 }, { filesInFlight: 64, smallFileMax: 0 }, { chunkSize: 1000, prefetchBytes: 1 }]) {
          const again = yield* collect(connection, { paths: [root], tuning })
          expect(again.items).toEqual(run.items)
        }
      }))

    it.scoped("streams a 64 MiB file in order, in chunks no larger than a read", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const dir = freshDir(server)
        const digest = writeRandom(path.join(dir, "big.bin"), 64 * MiB)
        const connection = yield* connect(server)
        let largest = 0
        const hash = createHash("sha256")
        // An item's content can be read only while the source stream runs: consume it in the pipeline.
        const [[meta, bytes]] = yield* sourceItems(connection, { paths: [path.join(dir, "big.bin")], onWarning: () => {} }).pipe(
          Stream.mapEffect((item) =>
            Stream.runFold(item.content, 0, (n, chunk) => {
              largest = Math.max(largest, chunk.length)
              hash.update(chunk)
              return n + chunk.length
            }).pipe(Effect.map((n) => [item.meta, n] as const))
          ),
          Stream.runCollect,
          Effect.map(Chunk.toArray)
        )
        expect(meta!.size).toBe(64 * MiB)
        expect(bytes).toBe(64 * MiB)
        expect(hash.digest("hex")).toBe(digest)
        expect(largest).toBeLessThanOrEqual(DEFAULT_TUNING.chunkSize)
      }))

    it.scoped("a large file's reader reads it by position, many reads at once, into the caller's buffer", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const dir = freshDir(server)
        const digest = writeRandom(path.join(dir, "big.bin"), 16 * MiB)
        const connection = yield* connect(server)
        const warnings: Array<SourceWarning> = []
        const read = yield* sourceItems(connection, { paths: [path.join(dir, "big.bin")], onWarning: (w) => warnings.push(w) }).pipe(
          Stream.mapEffect((item) =>
            Effect.async<Buffer, unknown>((resume) => {
              const reader = item.reader!
              const into = Buffer.alloc(item.meta.size)
              let outstanding = 0
              // Back to front, all at once: answers must land by position, not by arrival.
              for (let end = into.length; end > 0; end -= reader.chunkBytes) {
                const start = Math.max(0, end - reader.chunkBytes)
                outstanding++
                reader.read(into.subarray(start, end), start, (outcome) => {
                  if ("error" in outcome || "stop" in outcome) return resume(Effect.fail(outcome))
                  expect(outcome.bytes).toBe(end - start)
                  if (--outstanding === 0) {
                    reader.finish(into.length)
                    resume(Effect.succeed(into))
                  }
                })
              }
            })
          ),
          Stream.runCollect,
          Effect.map(Chunk.toArray)
        )
        expect(read.length).toBe(1)
        expect(sha256(read[0]!)).toBe(digest)
        expect(warnings).toEqual([])
      }))

    it.scoped("leaves out excluded entries and never descends into excluded directories", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const root = freshDir(server)
        for (const name of ["app/main.js", "app/debug.log", "app/node_modules/x/index.js", "cache/blob", "cache2/keep", "logs/tmp/a.tmp", "logs/keep.txt", "x.tmp"]) {
          write(path.join(root, name), name)
        }
        const connection = yield* connect(server)
        const run = yield* collect(connection, {
          paths: [root],
          excludes: ["*.log", "node_modules", `${root}/cache`, `${root}/**/tmp/*.tmp`, "/nowhere/*"]
        })
        const relative = namesOf(run.items).map((name) => `/${name}`.slice(root.length))
        expect(relative).toEqual(["", "/app", "/app/main.js", "/cache2", "/cache2/keep", "/logs", "/logs/keep.txt", "/logs/tmp", "/x.tmp"])
      }))

    it.scoped("walks each root once: repeated, nested and trailing-slash paths collapse", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const root = freshDir(server)
        write(path.join(root, "a/file"), "a")
        write(path.join(root, "b/file"), "b")
        const connection = yield* connect(server)
        const run = yield* collect(connection, { paths: [`${root}/b/`, root, `${root}/a`, `${root}//`] })
        expect(namesOf(run.items)).toEqual(["", "/a", "/a/file", "/b", "/b/file"].map((name) => nameOf(root + name)))
        const single = yield* collect(connection, { paths: [`${root}/a/file`] })
        expect(namesOf(single.items)).toEqual([nameOf(`${root}/a/file`)])
      }))

    it.scoped("a missing root fails with missing_path, which a retry will not fix", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const connection = yield* connect(server)
        const missing = `${server.root}-does-not-exist`
        const error = yield* Effect.flip(collect(connection, { paths: [freshDir(server), missing] }))
        expect(error.reason).toBe("missing_path")
        expect(error.retryable).toBe(false)
        expect(error.message).toBe(`source path ${missing} does not exist on 127.0.0.1:${server.port}`)
        const relative = yield* Effect.flip(collect(connection, { paths: ["srv/data"] }))
        expect(relative.reason).toBe("missing_path")
      }))

    it.scoped("a large file that shrinks before it is read yields what is left and a warning", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const dir = freshDir(server)
        const file = path.join(dir, "shrinking.bin")
        writeRandom(file, 4 * MiB)
        const connection = yield* connect(server)
        const warnings: Array<SourceWarning> = []
        const [[meta, content]] = yield* sourceItems(connection, { paths: [file], onWarning: (w) => warnings.push(w) }).pipe(
          Stream.mapEffect((item) =>
            Effect.sync(() => fs.truncateSync(file, MiB + 5)).pipe(
              Effect.zipRight(Stream.runCollect(item.content)),
              Effect.map((chunks) => [item.meta, Buffer.concat(Chunk.toArray(chunks))] as const)
            )
          ),
          Stream.runCollect,
          Effect.map(Chunk.toArray)
        )
        expect(meta!.size).toBe(4 * MiB)
        expect(content.equals(fs.readFileSync(file))).toBe(true)
        expect(warnings).toEqual([{ path: file, message: `file shrank while being read: ${MiB + 5} of ${4 * MiB} bytes archived` }])
      }))

    it.scoped("a file that vanishes between listing and reading is skipped with a warning", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const dir = freshDir(server)
        for (const name of ["a", "b", "c"]) write(path.join(dir, name), name)
        const connection = yield* connect(server)
        const warnings: Array<SourceWarning> = []
        // With one entry in flight, "b" is opened only after "a" has been pulled: delete it in between.
        const names = yield* sourceItems(connection, { paths: [dir], onWarning: (w) => warnings.push(w), tuning: { filesInFlight: 1 } }).pipe(
          Stream.tap((item) => Effect.sync(() => item.meta.name.endsWith("/a") && fs.rmSync(path.join(dir, "b")))),
          Stream.map((item) => `/${item.meta.name}`),
          Stream.runCollect,
          Effect.map(Chunk.toArray)
        )
        expect(names).toEqual([dir, `${dir}/a`, `${dir}/c`])
        expect(warnings).toEqual([{ path: `${dir}/b`, message: "skipped: it vanished before it could be read" }])
      }))

    it.scoped("stopping early closes every file handle it opened ahead", () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const dir = freshDir(server)
        for (let i = 0; i < 6; i++) writeRandom(path.join(dir, `f${i}`), 2 * MiB)
        const connection = yield* connect(server)
        const taken = yield* sourceItems(connection, { paths: [dir], onWarning: () => {} }).pipe(Stream.take(3), Stream.runCollect)
        expect(Chunk.size(taken)).toBe(3)
        // Closes are not awaited: give the server a moment, then no sshd process may hold a file under dir.
        const holders = () =>
          fs.readdirSync("/proc").filter((pid) => /^\d+$/.test(pid) && readlinks(`/proc/${pid}/fd`).some((target) => target.startsWith(`${dir}/`)))
        const deadline = Date.now() + 3_000
        while (holders().length > 0 && Date.now() < deadline) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
        expect(holders()).toEqual([])
      }))
  })
})

const readlinks = (fdDir: string) => {
  try {
    return fs.readdirSync(fdDir).map((fd) => {
      try {
        return fs.readlinkSync(path.join(fdDir, fd))
      } catch {
        return ""
      }
    })
  } catch {
    return []
  }
}
