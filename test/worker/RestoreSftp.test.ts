import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Fiber, Layer } from "effect"
import { restoreToSource } from "../../src/worker/restore/restoreToSource.js"
import type { RestoreWarning } from "../../src/worker/restore/SnapshotToRead.js"
import { buildSourceTree, describeTree } from "../support/SourceTree.js"
import { SFTP_TRANSPORTS, sftpTransportLayer } from "../support/SftpTransports.js"
import { Sshd, SshdLive, type SshdServer } from "../support/Sshd.js"
import {
  type Artifact, backUp, craft, craftFromTar, damagedCopy, dirItem, escapeRefusals, escapingItems, fileItem, flipByteAt, symlinkItem, tarOf, targetOf,
  inStore, tempDir, zeroCounters
} from "./RestoreFixtures.js"

interface Fixture extends Artifact {
  readonly server: SshdServer
  readonly storageBase: string
  readonly data: string
  readonly counts: { readonly fileCount: number; readonly dirCount: number; readonly symlinkCount: number; readonly bytesIn: number }
}
class Backed extends Context.Tag("test/Backed")<Backed, Fixture>() {}

const BackedLive = Layer.scoped(Backed, Effect.gen(function*() {
  const server = yield* Sshd
  const storageBase = yield* Effect.acquireRelease(Effect.sync(() => tempDir("xvault-restore-sftp-")), (dir) =>
    Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
  const data = path.join(server.root, "data")
  buildSourceTree(data)
  return { ...(yield* backUp(server, data, storageBase)), server, storageBase, data }
})).pipe(Layer.provide(SshdLive()))

let targets = 0
/** A path under the server's root for one test's target (not created). */
const targetUnder = (backed: Fixture) => path.join(backed.server.root, `target-${++targets}`)

const restore = (backed: Fixture, artifact: Artifact, options: { targetPath?: string | null; overwrite?: boolean; includes?: Array<string> } = {}) => {
  const warnings: Array<RestoreWarning> = []
  const counters = zeroCounters()
  const run = restoreToSource({
    snapshot: artifact.snapshot,
    fileKey: artifact.fileKey,
    includes: options.includes ?? [],
    target: { kind: "sftp", ...targetOf(backed.server) },
    targetPath: options.targetPath === undefined ? targetUnder(backed) : options.targetPath,
    overwrite: options.overwrite ?? false,
    counters,
    warnings,
    recordHostKey: () => Effect.void
  }).pipe(inStore(backed.storageBase))
  return { run, warnings, counters, withResult: Effect.map(run, (result) => ({ result, warnings, counters })) }
}

/** The restored copy of the source tree inside a target. */
const restoredData = (backed: Fixture, target: string) => path.join(target, backed.data)

const write = (file: string, content: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, content)
}

// backed up and restored over each transport
for (const transport of SFTP_TRANSPORTS) layer(BackedLive.pipe(Layer.provideMerge(sftpTransportLayer(transport))), {
  excludeTestServices: true, timeout: "90 seconds"
})(`restoreToSource, to an SFTP source, over ${transport}`, (it) => {
  it.effect("round trip into a fresh target path: the tree is the source tree, counts and bytes as backed up", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const targetPath = targetUnder(backed)
      const { result, warnings, counters } = yield* restore(backed, backed, { targetPath }).withResult
      expect(warnings).toEqual([])
      expect(result).toEqual({
        targetPath,
        files: backed.counts.fileCount,
        dirs: backed.counts.dirCount,
        symlinks: backed.counts.symlinkCount,
        bytesWritten: backed.counts.bytesIn,
        skipped: 0
      })
      expect(counters.bytesRead).toBe(backed.snapshot.sizeBytes)
      expect(describeTree(restoredData(backed, targetPath))).toEqual(describeTree(backed.data))
    }))

  it.scoped("no target path: a new xvault-restore-<snapshot id> in the login's home, and a second restore there fails", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const expected = path.join(os.userInfo().homedir, `xvault-restore-${backed.snapshot.snapshotId}`)
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(expected, { recursive: true, force: true })))
      const { result } = yield* restore(backed, backed, { targetPath: null, includes: ["docs"] }).withResult
      expect(result.targetPath).toBe(expected)
      expect(describeTree(path.join(expected, backed.data, "docs"))).toEqual(describeTree(path.join(backed.data, "docs")))
      const again = yield* Effect.flip(restore(backed, backed, { targetPath: null }).run)
      expect(again._tag).toBe("RestoreFailed")
      expect(again.retryable).toBe(false)
      expect(again.message).toBe(
        `the target ${expected} on 127.0.0.1:${backed.server.port} exists already (restore with --overwrite to restore into it, or choose another --target-path)`
      )
      // a relative target path is taken from the home directory too
      const relative = yield* restore(backed, backed, { targetPath: `xvault-restore-${backed.snapshot.snapshotId}/again`, includes: ["*.sh"] }).withResult
      expect(relative.result.targetPath).toBe(path.join(expected, "again"))
      expect(relative.result.files).toBe(1)
    }))

  it.effect("into an existing directory: existing files are kept and reported unless --overwrite replaces them", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const targetPath = targetUnder(backed)
      const readme = path.join(restoredData(backed, targetPath), "docs", "readme.txt")
      write(readme, "local changes\n")
      const first = yield* restore(backed, backed, { targetPath }).withResult
      expect(fs.readFileSync(readme, "utf8")).toBe("local changes\n")
      expect(first.warnings).toEqual([{
        path: readme.slice(targetPath.length + 1),
        message: "skipped: a file exists in its place in the target (restore with --overwrite to replace a file)"
      }])
      expect(first.result.skipped).toBe(1)
      expect(first.result.files).toBe(backed.counts.fileCount - 1)

      const second = yield* restore(backed, backed, { targetPath, overwrite: true }).withResult
      expect(fs.readFileSync(readme, "utf8")).toBe("hello xvault\n")
      expect(second.result.skipped).toBe(0)
      expect(describeTree(restoredData(backed, targetPath))).toEqual(describeTree(backed.data))
    }))

  it.scoped("a symlink already in the target is never followed, even with --overwrite", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const targetPath = targetUnder(backed)
      const elsewhere = tempDir("xvault-elsewhere-")
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(elsewhere, { recursive: true, force: true })))
      const docs = path.join(restoredData(backed, targetPath), "docs")
      fs.mkdirSync(path.dirname(docs), { recursive: true })
      fs.symlinkSync(elsewhere, docs)
      fs.symlinkSync(path.join(elsewhere, "f"), path.join(path.dirname(docs), "empty-file"))
      const { warnings } = yield* restore(backed, backed, { targetPath, overwrite: true }).withResult
      expect(fs.readdirSync(elsewhere)).toEqual([])
      const name = (p: string) => p.slice(targetPath.length + 1)
      expect(warnings).toEqual([
        { path: name(docs), message: "skipped with everything below it: a symlink is in its place in the target" },
        { path: name(path.join(path.dirname(docs), "empty-file")), message: "not replaced: a symlink is in its place in the target" }
      ])
    }))

  it.effect("modes and mtimes: read-only and setuid ones, and a directory listed last with nothing in it", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const artifact = yield* craft(backed.storageBase, [
        dirItem("top", { mtime: 1_500_000_000 }),
        dirItem("top/ro", { mode: 0o555, mtime: 1_500_000_100 }),
        fileItem("top/ro/f", "x", { mode: 0o444, mtime: 1_500_000_200 }),
        fileItem("top/suid", "#!/bin/sh\n", { mode: 0o4755, mtime: 1_500_000_250 }),
        dirItem("top/z-empty", { mode: 0o711, mtime: 1_500_000_300 })
      ])
      const targetPath = targetUnder(backed)
      const { result } = yield* restore(backed, artifact, { targetPath }).withResult
      expect(result).toMatchObject({ files: 2, dirs: 3, skipped: 0 })
      expect(describeTree(targetPath)).toMatchObject({
        "top": { type: "dir", mode: "755", mtime: 1_500_000_000 },
        "top/ro": { type: "dir", mode: "555", mtime: 1_500_000_100 },
        "top/ro/f": { type: "file", mode: "444", mtime: 1_500_000_200 },
        "top/suid": { type: "file", mode: "4755", mtime: 1_500_000_250 },
        "top/z-empty": { type: "dir", mode: "711", mtime: 1_500_000_300 }
      })
      // nothing but directories: no file to wait for before the modes are applied
      const dirsOnly = yield* craft(backed.storageBase, [dirItem("a", { mode: 0o750, mtime: 1_400_000_000 }), dirItem("a/b", { mode: 0o700, mtime: 1_400_000_100 })])
      const dirsTarget = targetUnder(backed)
      expect((yield* restore(backed, dirsOnly, { targetPath: dirsTarget }).withResult).result).toMatchObject({ dirs: 2 })
      expect(describeTree(dirsTarget)).toMatchObject({
        "a": { type: "dir", mode: "750", mtime: 1_400_000_000 },
        "a/b": { type: "dir", mode: "700", mtime: 1_400_000_100 }
      })
    }))

  it.effect("one flipped byte in the first frame: fails before touching the target, which is never created", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const copy = damagedCopy(backed.storageBase, backed, flipByteAt(1000))
      const targetPath = targetUnder(backed)
      const error = yield* Effect.flip(restore(backed, copy, { targetPath }).run)
      expect(error).toMatchObject({ _tag: "RestoreFailed", reason: "damaged" })
      expect(error.message).toBe(`snapshot ${copy.snapshot.snapshotId} cannot be restored: age decryption failed: payload chunk 0 failed authentication (offset 0)`)
      expect(fs.existsSync(targetPath)).toBe(false)
    }))

  it.effect("one flipped byte near the end: fails at that chunk and removes all it wrote, in a fresh or an existing target", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      // 64 KiB frames: the first ones are written before the damaged chunk is read
      const items = [dirItem("d"), fileItem("d/a.txt", "a"), fileItem("d/big.bin", randomBytes(600_000)), fileItem("d/c.txt", "c")]
      const artifact = yield* craft(backed.storageBase, items)
      const copy = damagedCopy(backed.storageBase, artifact, flipByteAt(artifact.snapshot.sizeBytes - 5000))
      const fresh = targetUnder(backed)
      const error = yield* Effect.flip(restore(backed, copy, { targetPath: fresh }).run)
      expect(error).toMatchObject({ _tag: "RestoreFailed", reason: "damaged" })
      expect(error.message).toMatch(new RegExp(`^snapshot ${copy.snapshot.snapshotId} cannot be restored: age decryption failed: payload chunk \\d+ failed authentication`))
      expect(fs.existsSync(fresh)).toBe(false)

      const existing = targetUnder(backed)
      write(path.join(existing, "mine.txt"), "keep me\n")
      yield* Effect.flip(restore(backed, copy, { targetPath: existing }).run)
      expect(Object.keys(describeTree(existing)).sort()).toEqual(["", "mine.txt"])
    }))

  it.effect("a file that decodes but is not the recorded one (sha256 differs): fails at the end and removes all it wrote", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const other = { ...backed, snapshot: { ...backed.snapshot, sha256: "0".repeat(64) } }
      const fresh = targetUnder(backed)
      const { run, counters } = restore(backed, other, { targetPath: fresh })
      const error = yield* Effect.flip(run)
      expect(error.message).toBe(
        `snapshot ${backed.snapshot.snapshotId} cannot be restored: the artifact's sha256 is ${backed.snapshot.sha256}, the Hub recorded ${"0".repeat(64)}`
      )
      expect(counters.bytesRead).toBe(backed.snapshot.sizeBytes)
      expect(fs.existsSync(fresh)).toBe(false)
    }))

  it.effect("with --overwrite, one flipped byte anywhere is refused by the sha256 before anything is replaced", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const copy = damagedCopy(backed.storageBase, backed, flipByteAt(backed.snapshot.sizeBytes - 5000))
      const existing = targetUnder(backed)
      const first = (yield* restore(backed, backed, { targetPath: existing }).withResult).result
      const before = describeTree(existing)
      const error = yield* Effect.flip(restore(backed, copy, { targetPath: existing, overwrite: true }).run)
      expect(error.message).toMatch(new RegExp(`^snapshot ${copy.snapshot.snapshotId} cannot be restored: the artifact's sha256 is [0-9a-f]{64}, the Hub recorded ${backed.snapshot.sha256}$`))
      expect(first.files).toBe(backed.counts.fileCount)
      expect(describeTree(existing)).toEqual(before)
    }))

  it.effect("a tar that breaks midway: the restore fails naming the entry and removes all it wrote, nothing else", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const items = [dirItem("d"), fileItem("d/a.txt", "a"), fileItem("d/big.bin", Buffer.alloc(300_000, 1)), fileItem("d/c.txt", "c")]
      const tar = yield* tarOf(items)
      const cOffset = 512 + 1024 + 512 + 300_032
      tar[cOffset + 9] ^= 0x01
      const artifact = yield* craftFromTar(backed.storageBase, tar)
      const fresh = targetUnder(backed)
      const error = yield* Effect.flip(restore(backed, artifact, { targetPath: fresh }).run)
      expect(error.message).toBe(
        `snapshot ${artifact.snapshot.snapshotId} cannot be restored: the tar layer is invalid: tar header at offset ${cOffset} (after entry "d/big.bin") has a bad checksum`
      )
      expect(fs.existsSync(fresh)).toBe(false)

      const existing = targetUnder(backed)
      write(path.join(existing, "d", "mine.txt"), "keep me\n")
      write(path.join(existing, "other", "x"), "keep me too\n")
      yield* Effect.flip(restore(backed, artifact, { targetPath: existing }).run)
      expect(describeTree(existing)).toMatchObject({ "d/mine.txt": { type: "file" }, "other/x": { type: "file" } })
      expect(Object.keys(describeTree(existing)).sort()).toEqual(["", "d", "d/mine.txt", "other", "other/x"])
    }))

  it.scoped("a crafted archive (../, absolute names, writing through symlinks) writes nothing outside the target", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const sandbox = tempDir("xvault-sandbox-")
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(sandbox, { recursive: true, force: true })))
      const outside = path.join(sandbox, "outside")
      fs.mkdirSync(outside)
      const artifact = yield* craft(backed.storageBase, [...escapingItems(outside), symlinkItem("safe/ok.txt", "/etc/passwd")])
      const targetPath = path.join(sandbox, "into")
      const { result, warnings } = yield* restore(backed, artifact, { targetPath }).withResult
      expect(fs.readdirSync(sandbox).sort()).toEqual(["into", "outside"])
      expect(fs.readdirSync(outside)).toEqual([])
      expect(describeTree(targetPath)).toMatchObject({
        "safe/ok.txt": { type: "file", size: 5 },
        "link": { type: "symlink", target: outside },
        "up": { type: "symlink", target: ".." }
      })
      expect(warnings).toEqual([
        ...escapeRefusals(outside),
        { path: "safe/ok.txt", message: "skipped: a file exists in its place in the target (restore with --overwrite to replace a file or symlink)" }
      ])
      expect(result).toMatchObject({ files: 1, dirs: 1, symlinks: 2, skipped: 6 })
    }))

  it.scoped("a name the target cannot hold is skipped and reported; the rest is restored", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      // 300 bytes in one component: the server refuses that one request (ENAMETOOLONG)
      const tooLong = `d/${"n".repeat(300)}.txt`
      const artifact = yield* craft(backed.storageBase, [dirItem("d"), fileItem(tooLong, "x\n"), fileItem("d/fine.txt", "fine\n")])
      const targetPath = targetUnder(backed)
      const { result, warnings } = yield* restore(backed, artifact, { targetPath }).withResult
      expect(fs.readFileSync(path.join(targetPath, "d", "fine.txt"), "utf8")).toBe("fine\n")
      expect(warnings.map((w) => w.path)).toEqual([tooLong])
      expect(result).toMatchObject({ files: 1, skipped: 1 })
    }))

  it.effect("interrupted midway: what was written is removed", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const big = yield* craft(backed.storageBase, [dirItem("big"), ...[1, 2, 3, 4].map((i) => fileItem(`big/${i}.bin`, Buffer.alloc(8 * 1024 * 1024, i)))])
      const targetPath = targetUnder(backed)
      const run = restore(backed, big, { targetPath })
      const fiber = yield* Effect.fork(run.run)
      while (run.counters.bytesWritten === 0) yield* Effect.sleep("5 millis")
      expect(fs.existsSync(targetPath)).toBe(true)
      yield* Fiber.interrupt(fiber)
      expect(fs.existsSync(targetPath)).toBe(false)
    }))
})
