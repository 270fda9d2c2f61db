import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { verifySnapshot } from "../../src/worker/verify/verifySnapshot.js"
import { buildSourceTree } from "../support/SourceTree.js"
import { Sshd, SshdLive } from "../support/Sshd.js"
import {
  type Artifact, backUp, craft, craftFromTar, damagedCopy, fileItem, flipByteAt, inStore, tarOf, tempDir, zeroCounters
} from "./RestoreFixtures.js"

interface BackedUp extends Artifact {
  readonly storageBase: string
  readonly entries: number
  readonly bytesIn: number
  readonly counts: { readonly fileCount: number; readonly dirCount: number; readonly symlinkCount: number }
}
class Backed extends Context.Tag("test/Backed")<Backed, BackedUp>() {}

// One real backup of the standard source tree, made once for the file; tests damage copies of it.
const BackedLive = Layer.scoped(Backed, Effect.gen(function*() {
  const server = yield* Sshd
  const storageBase = yield* Effect.acquireRelease(Effect.sync(() => tempDir("xvault-verify-")), (dir) =>
    Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
  const data = path.join(server.root, "data")
  buildSourceTree(data)
  const backed = yield* backUp(server, data, storageBase)
  const { fileCount, dirCount, symlinkCount, bytesIn } = backed.counts
  return { ...backed, storageBase, entries: fileCount + dirCount + symlinkCount, bytesIn }
})).pipe(Layer.provide(SshdLive()))

const verify = (storageBase: string, artifact: Artifact, counters = zeroCounters()) =>
  verifySnapshot({ snapshot: artifact.snapshot, fileKey: artifact.fileKey, counters }).pipe(inStore(storageBase))

layer(BackedLive, { excludeTestServices: true, timeout: "60 seconds" })("verifySnapshot", (it) => {
  it.effect("an untouched snapshot is intact: every entry and content byte read, the whole file counted", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const counters = zeroCounters()
      expect(yield* verify(backed.storageBase, backed, counters)).toEqual({ intact: true, entries: backed.entries, bytes: backed.bytesIn })
      expect(counters).toMatchObject({
        bytesRead: backed.snapshot.sizeBytes,
        files: backed.counts.fileCount,
        dirs: backed.counts.dirCount,
        symlinks: backed.counts.symlinkCount
      })
    }))

  it.effect("one flipped byte: corrupt, saying the sha256 differs and which age chunk fails", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const copy = damagedCopy(backed.storageBase, backed, flipByteAt(Math.floor(backed.snapshot.sizeBytes / 2)))
      const outcome = yield* verify(backed.storageBase, copy)
      expect(outcome.intact).toBe(false)
      expect(!outcome.intact && outcome.problem).toMatch(
        new RegExp(`^the artifact's sha256 is [0-9a-f]{64}, the Hub recorded ${backed.snapshot.sha256}; age decryption failed: payload chunk \\d+ failed authentication \\(offset \\d+\\)$`)
      )
    }))

  it.effect("a missing, shortened or replaced file is not intact, and the problem says which", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const missing = damagedCopy(backed.storageBase, backed, (b) => b)
      fs.rmSync(missing.file)
      expect(yield* verify(backed.storageBase, missing)).toEqual({
        intact: false,
        problem: `the artifact file ${missing.snapshot.locator} is missing`
      })
      const short = damagedCopy(backed.storageBase, backed, (b) => b.subarray(0, b.length - 100))
      expect(yield* verify(backed.storageBase, short)).toEqual({
        intact: false,
        problem: `the artifact is ${backed.snapshot.sizeBytes - 100} bytes, the Hub recorded ${backed.snapshot.sizeBytes}`
      })
      const other = { ...backed, snapshot: { ...backed.snapshot, sha256: "0".repeat(64) } }
      expect(yield* verify(backed.storageBase, other)).toEqual({
        intact: false,
        problem: `the artifact's sha256 is ${backed.snapshot.sha256}, the Hub recorded ${"0".repeat(64)}; yet it decrypts and reads to its end: it is another artifact than the one recorded`
      })
      const outside = { ...backed, snapshot: { ...backed.snapshot, locator: "../elsewhere/backup.tar.zst.enc" } }
      expect(yield* verify(backed.storageBase, outside)).toEqual({
        intact: false,
        problem: `its locator "../elsewhere/backup.tar.zst.enc" is outside this worker's storage`
      })
    }))

  it.effect("an artifact cut short, with a record that matches it, fails on the missing final age chunk", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const artifact = yield* craft(backed.storageBase, [fileItem("a.bin", Buffer.alloc(300_000, 7))])
      const cut = fs.readFileSync(artifact.file).subarray(0, 200)
      fs.writeFileSync(artifact.file, cut)
      const recorded = { ...artifact, snapshot: { ...artifact.snapshot, sizeBytes: 200, sha256: createHash("sha256").update(cut).digest("hex") } }
      const outcome = yield* verify(backed.storageBase, recorded)
      expect(!outcome.intact && outcome.problem).toMatch(/^age decryption failed: payload chunk 0 .*truncated/)
    }))

  it.effect("a tar that does not parse is named by entry and offset, even when age and zstd are fine", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const tar = yield* tarOf([fileItem("first.txt", "1"), fileItem("second.txt", "2")])
      tar[1024 + 3] ^= 0x01
      const artifact = yield* craftFromTar(backed.storageBase, tar)
      expect(yield* verify(backed.storageBase, artifact)).toEqual({
        intact: false,
        problem: `the tar layer is invalid: tar header at offset 1024 (after entry "first.txt") has a bad checksum`
      })
    }))

  it.effect("a tar that breaks early in a large artifact: only the tar is named, the whole file still hashes as recorded", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      // many MiB after the damage: decoding stops while the file is still being read ahead
      const tar = yield* tarOf([fileItem("first.txt", "1"), fileItem("second.txt", "2"), fileItem("big.bin", randomBytes(12 * 1024 * 1024))])
      tar[1024 + 3] ^= 0x01
      const artifact = yield* craftFromTar(backed.storageBase, tar)
      const counters = zeroCounters()
      expect(yield* verify(backed.storageBase, artifact, counters)).toEqual({
        intact: false,
        problem: `the tar layer is invalid: tar header at offset 1024 (after entry "first.txt") has a bad checksum`
      })
      expect(counters.bytesRead).toBeLessThan(artifact.snapshot.sizeBytes)
    }))

  it.effect("a read error of the worker's own storage is StorageFailed (retryable), not a verdict on the data", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const unreadable = damagedCopy(backed.storageBase, backed, (b) => b)
      fs.rmSync(unreadable.file)
      // /proc/self/mem is a regular file of size 0 whose read at offset 0 fails with EIO
      fs.symlinkSync("/proc/self/mem", unreadable.file)
      const error = yield* Effect.flip(verify(backed.storageBase, { ...unreadable, snapshot: { ...unreadable.snapshot, sizeBytes: 0 } }))
      expect(error._tag).toBe("StorageFailed")
      expect(error.retryable).toBe(true)
      expect(error.message).toMatch(/^cannot read .*backup\.tar\.zst\.enc: .*EIO/)
    }))
})
