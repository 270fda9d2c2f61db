import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Fiber, Layer } from "effect"
import { restoreToArchive } from "../../src/worker/restore/restoreToArchive.js"
import type { RestoreWarning } from "../../src/worker/restore/SnapshotToRead.js"
import { buildSourceTree, describeTree } from "../support/SourceTree.js"
import { Sshd, SshdLive } from "../support/Sshd.js"
import {
  type Artifact, backUp, craft, craftFromTar, damagedCopy, escapeRefusals, escapingItems, fileItem, flipByteAt, inStore, tarOf, tempDir, zeroCounters
} from "./RestoreFixtures.js"

interface BackedUp extends Artifact {
  readonly storageBase: string
  readonly work: string
  readonly data: string
}
class Backed extends Context.Tag("test/Backed")<Backed, BackedUp>() {}

const BackedLive = Layer.scoped(Backed, Effect.gen(function*() {
  const server = yield* Sshd
  const work = yield* Effect.acquireRelease(Effect.sync(() => tempDir("xvault-restore-archive-")), (dir) =>
    Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
  const storageBase = path.join(work, "storage")
  const data = path.join(server.root, "data")
  buildSourceTree(data)
  return { ...(yield* backUp(server, data, storageBase)), storageBase, work, data }
})).pipe(Layer.provide(SshdLive()))

let restores = 0
const restore = (backed: BackedUp, artifact: Artifact, includes: ReadonlyArray<string> = []) => {
  const warnings: Array<RestoreWarning> = []
  const counters = zeroCounters()
  const restoreId = `r${++restores}`
  return Effect.map(
    restoreToArchive({ snapshot: artifact.snapshot, fileKey: artifact.fileKey, includes, restoreId, counters, warnings }).pipe(inStore(backed.storageBase)),
    (result) => ({ result, warnings, counters, file: path.join(backed.storageBase, result.locator) })
  )
}

const extract = (tarFile: string, into: string) => {
  fs.mkdirSync(into, { recursive: true })
  execFileSync("tar", ["-x", "-p", "--numeric-owner", "-f", tarFile, "-C", into])
  return into
}

/** The directory of the last restore run. */
const lastRestoreDir = (backed: BackedUp, artifact: Artifact) =>
  path.join(backed.storageBase, "tenants", artifact.snapshot.tenantId, "sources", artifact.snapshot.sourceId, "restores", `r${restores}`)

layer(BackedLive, { excludeTestServices: true, timeout: "60 seconds" })("restoreToArchive", (it) => {
  it.effect("round trip: GNU tar extracts restore.tar into the source tree as it was", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const { result, warnings, counters, file } = yield* restore(backed, backed)
      const { snapshot } = backed
      expect(result.locator).toBe(`tenants/${snapshot.tenantId}/sources/${snapshot.sourceId}/restores/r${restores}/restore.tar`)
      expect(fs.readdirSync(path.dirname(file))).toEqual(["restore.tar"])
      const bytes = fs.readFileSync(file)
      expect(result).toMatchObject({ sizeBytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") })
      expect(warnings).toEqual([])
      expect(counters).toMatchObject({ bytesRead: snapshot.sizeBytes, bytesWritten: bytes.length })
      expect(result.entries).toBe(counters.files + counters.dirs + counters.symlinks)
      const out = extract(file, path.join(backed.work, "round-trip"))
      expect(describeTree(path.join(out, backed.data))).toEqual(describeTree(backed.data))
    }))

  it.effect("--include takes the matching subtrees and files only", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const docs = `${backed.data}/docs`
      const { result, file } = yield* restore(backed, backed, [docs, "*.sh"])
      const listed = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n")
      const name = (p: string) => p.slice(1)
      expect(listed).toEqual([name(`${backed.data}/bin/run.sh`), `${name(docs)}/`, `${name(docs)}/name with spaces.txt`, `${name(docs)}/readme.txt`])
      expect(result.entries).toBe(4)
      const out = extract(file, path.join(backed.work, "included"))
      expect(describeTree(path.join(out, docs))).toEqual(describeTree(docs))
    }))

  it.effect("one flipped byte: the restore fails saying where, and leaves no restore directory", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const copy = damagedCopy(backed.storageBase, backed, flipByteAt(backed.snapshot.sizeBytes - 5000))
      const error = yield* Effect.flip(restore(backed, copy))
      expect(error._tag).toBe("RestoreFailed")
      expect(error.retryable).toBe(false)
      expect(error.message).toMatch(new RegExp(`^snapshot ${copy.snapshot.snapshotId} cannot be restored: age decryption failed: payload chunk \\d+ failed authentication`))
      expect(fs.existsSync(lastRestoreDir(backed, copy))).toBe(false)
    }))

  it.effect("an artifact whose tar breaks midway fails with the entry named, and leaves nothing", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const tar = yield* tarOf([fileItem("a.txt", "a"), fileItem("big.bin", Buffer.alloc(200_000, 1)), fileItem("c.txt", "c")])
      tar[1024 + 512 + 200_192 + 7] ^= 0x01
      const artifact = yield* craftFromTar(backed.storageBase, tar)
      const error = yield* Effect.flip(restore(backed, artifact))
      expect(error.message).toBe(
        `snapshot ${artifact.snapshot.snapshotId} cannot be restored: the tar layer is invalid: tar header at offset 201728 (after entry "big.bin") has a bad checksum`
      )
      expect(fs.existsSync(lastRestoreDir(backed, artifact))).toBe(false)
    }))

  it.effect("a crafted archive (../, absolute names, writing through symlinks) yields a tar that writes nothing outside", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const sandbox = path.join(backed.work, "sandbox")
      const outside = path.join(sandbox, "outside")
      fs.mkdirSync(outside, { recursive: true })
      const artifact = yield* craft(backed.storageBase, escapingItems(outside))
      const { result, warnings, file } = yield* restore(backed, artifact)
      expect(warnings).toEqual(escapeRefusals(outside))
      expect(result.entries).toBe(4)
      expect(execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n")).toEqual(["safe/", "safe/ok.txt", "link", "up"])
      extract(file, path.join(sandbox, "into"))
      expect(fs.readdirSync(sandbox).sort()).toEqual(["into", "outside"])
      expect(fs.readdirSync(outside)).toEqual([])
      expect(fs.readFileSync(path.join(sandbox, "into", "safe", "ok.txt"), "utf8")).toBe("fine\n")
    }))

  it.effect("interrupted midway: the restore directory is removed", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const big = yield* craft(backed.storageBase, [1, 2, 3, 4].map((i) => fileItem(`${i}.bin`, Buffer.alloc(16 * 1024 * 1024, i))))
      const counters = zeroCounters()
      const fiber = yield* Effect.fork(restoreToArchive({
        snapshot: big.snapshot, fileKey: big.fileKey, includes: [], restoreId: "interrupted", counters, warnings: []
      }).pipe(inStore(backed.storageBase)))
      while (counters.bytesWritten === 0) yield* Effect.sleep("2 millis")
      const dir = path.join(backed.storageBase, "tenants", big.snapshot.tenantId, "sources", big.snapshot.sourceId, "restores", "interrupted")
      expect(fs.readdirSync(dir)).toEqual(["restore.tar.partial"])
      yield* Fiber.interrupt(fiber)
      expect(fs.existsSync(dir)).toBe(false)
    }))

  it.effect("a restore id that could name another directory is refused before anything is written", () =>
    Effect.gen(function*() {
      const backed = yield* Backed
      const error = yield* Effect.flip(restoreToArchive({
        snapshot: backed.snapshot, fileKey: backed.fileKey, includes: [], restoreId: "../../x",
        counters: zeroCounters(), warnings: []
      }).pipe(inStore(backed.storageBase)))
      expect(error).toMatchObject({ _tag: "RestoreFailed", reason: "invalid", message: `restore id "../../x" is not a valid id` })
    }))
})
