import { execFileSync, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Stream } from "effect"
import { artifactLocator, snapshotDirLocator } from "../../src/shared/storage/Locators.js"
import { ArtifactStore } from "../../src/worker/storage/ArtifactStore.js"
import { StorageBackendConfig } from "../../src/worker/storage/ArtifactStoreLive.js"
import { localFsStoreAt } from "../../src/worker/storage/LocalFsStore.js"
import { artifactStoreSuite, StoreInspector } from "../support/ArtifactStoreSuite.js"
import { repoRoot } from "../support/HubProcess.js"
import { tempDir } from "./RestoreFixtures.js"

const filesUnder = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name))

/** A LocalFsStore on a fresh directory (removed afterwards), with its files as the raw view. */
const localStoreOn = (makeBase: () => string, release: (base: string) => void) =>
  Layer.unwrapScoped(Effect.map(
    Effect.acquireRelease(Effect.sync(makeBase), (base) => Effect.sync(() => release(base))),
    (base) => Layer.merge(localFsStoreAt(base), Layer.succeed(StoreInspector, { rawNames: Effect.sync(() => filesUnder(base)) }))
  ))

const freshDir = () => tempDir("xvault-store-")
const removeDir = (dir: string) => fs.rmSync(dir, { recursive: true, force: true })

artifactStoreSuite("LocalFsStore", () => localStoreOn(freshDir, removeDir))

/** A 1 MiB tmpfs: a disk that fills up for real (ENOSPC from the kernel, not a simulation). */
const tinyDisk = () => {
  const dir = freshDir()
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir])
  return dir
}
const unmount = (dir: string) => {
  execFileSync("umount", [dir])
  removeDir(dir)
}

describe("LocalFsStore under faults", () => {
  it.effect("a put into a full filesystem fails as retryable StorageFailed (ENOSPC) and leaves nothing listable", () =>
    Effect.gen(function*() {
      const store = yield* ArtifactStore
      const inspector = yield* StoreInspector
      const ref = { tenantId: randomUUID(), sourceId: randomUUID(), snapshotId: randomUUID() }
      yield* store.prepare(snapshotDirLocator(ref))
      const big = Stream.range(1, 64).pipe(Stream.map(() => Buffer.alloc(64 * 1024, 7)))
      const error = yield* Effect.flip(store.put(artifactLocator(ref), big))
      expect(error).toMatchObject({ _tag: "StorageFailed", retryable: true })
      expect(error.message).toMatch(/ENOSPC/)
      expect(yield* inspector.rawNames).toEqual([])
      expect(yield* store.sweepIncomplete).toEqual([{ kind: "snapshots", locator: snapshotDirLocator(ref) }])
      expect(yield* store.listIncomplete).toEqual([])
      expect(yield* store.freeBytes).toBeGreaterThan(0)
    }).pipe(Effect.provide(localStoreOn(tinyDisk, unmount))), { timeout: 30_000 })

  it.effect("a worker killed in the middle of a put leaves only what the startup sweep removes", () =>
    Effect.gen(function*() {
      const base = freshDir()
      const ref = { tenantId: randomUUID(), sourceId: randomUUID(), snapshotId: randomUUID() }
      // the compiled store (globalSetup builds dist/), writing an endless stream until it is killed
      const script = `
        import { Effect, Stream } from "effect"
        import { makeLocalFsStore } from ${JSON.stringify(path.join(repoRoot, "dist/worker/storage/LocalFsStore.js"))}
        const store = await Effect.runPromise(makeLocalFsStore(${JSON.stringify(base)}))
        await Effect.runPromise(store.prepare(${JSON.stringify(snapshotDirLocator(ref))}))
        let told = false
        const endless = Stream.repeatEffect(Effect.sync(() => Buffer.alloc(64 * 1024, 1)))
        await Effect.runPromise(store.put(${JSON.stringify(artifactLocator(ref))}, endless, () => {
          if (!told) { told = true; process.stdout.write("writing\\n") }
        }))`
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] })
      yield* Effect.async<void>((resume) => {
        child.stdout.once("data", () => resume(Effect.void))
      })
      child.kill("SIGKILL")
      yield* Effect.async<void>((resume) => {
        child.once("exit", () => resume(Effect.void))
      })
      expect(filesUnder(base).some((f) => f.endsWith(".partial"))).toBe(true)

      const store = yield* Effect.provide(ArtifactStore, localFsStoreAt(base))
      const open = yield* Effect.flip(Effect.scoped(store.open(artifactLocator(ref), { sizeBytes: 1, sha256: "0".repeat(64) }, () => {})))
      expect(open).toMatchObject({ _tag: "ArtifactUnreadable", reason: "missing" })
      expect(yield* store.listIncomplete).toEqual([{ kind: "snapshots", locator: snapshotDirLocator(ref) }])
      yield* store.sweepIncomplete
      expect(filesUnder(base)).toEqual([])
      expect(yield* store.listIncomplete).toEqual([])
      removeDir(base)
    }), { timeout: 30_000 })
})

describe("WORKER_STORAGE_BACKEND", () => {
  it.effect("local_fs is the default and the only value; anything else names the variable and the choices", () =>
    Effect.gen(function*() {
      const read = (env: Record<string, string>) =>
        Effect.either(Effect.withConfigProvider(StorageBackendConfig, ConfigProvider.fromMap(new Map(Object.entries(env)))))
      expect(yield* read({})).toMatchObject({ _tag: "Right", right: "local_fs" })
      expect(yield* read({ WORKER_STORAGE_BACKEND: "local_fs" })).toMatchObject({ _tag: "Right", right: "local_fs" })
      const wrong = yield* read({ WORKER_STORAGE_BACKEND: "s3" })
      expect(wrong._tag).toBe("Left")
      expect(String(wrong._tag === "Left" ? wrong.left : "")).toMatch(/WORKER_STORAGE_BACKEND must be one of: local_fs/)
    }))
})
