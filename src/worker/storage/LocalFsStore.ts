import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { snapshotDirLocator } from "../../shared/storage/Locators.js"
import { StorageBase } from "../WorkerConfig.js"
import { ArtifactStore, type ArtifactStoreShape } from "./ArtifactStore.js"
import { fsyncDirectory, fsyncUpTo, writeAtomically } from "./AtomicFile.js"
import { openLocalFile } from "./localFsRead.js"
import { listLocalIncomplete, listLocalUnits } from "./localFsUnits.js"
import { resolveLocator } from "./LocalPaths.js"
import { LocatorRefused } from "./LocatorRefused.js"
import { StorageFailed } from "./StorageFailed.js"

const removeAll = (dir: string) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
/** Removed for good: the parent directory's entry is fsynced too (best effort: it may be gone as well). */
const removeDurably = (dir: string) => Effect.zipRight(removeAll(dir), Effect.ignore(fsyncDirectory(path.dirname(dir))))

/**
 * Artifacts as files under one directory (WORKER_STORAGE_BASE), a unit per directory. A put
 * writes `name.partial`, fsyncs it, renames it over `name` and fsyncs the directories up to the
 * base, so a crash leaves either the whole object or a `.partial` the startup sweep removes.
 */
export const makeLocalFsStore = (base: string): Effect.Effect<ArtifactStoreShape, StorageFailed> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({ try: () => fs.mkdir(base, { recursive: true }), catch: (e) => StorageFailed.from("create", base, e) })
    const inBase = (locator: string) =>
      Effect.suspend(() => {
        const resolved = resolveLocator(base, locator)
        return resolved === undefined
          ? Effect.fail(new LocatorRefused({ message: `refusing locator ${JSON.stringify(locator)}: it is outside this worker's storage` }))
          : Effect.succeed(resolved)
      })
    const makeDir = (dir: string) =>
      Effect.tryPromise({ try: () => fs.mkdir(dir, { recursive: true, mode: 0o750 }), catch: (e) => StorageFailed.from("create", dir, e) })

    return {
      backend: "local_fs",
      describe: base,
      prepare: (unit) => Effect.flatMap(inBase(unit), (dir) => Effect.zipRight(removeAll(dir), makeDir(dir))),
      put: (locator, content, onWritten) =>
        Effect.gen(function*() {
          const file = yield* inBase(locator)
          yield* makeDir(path.dirname(file))
          const written = yield* writeAtomically(file, content, onWritten)
          yield* fsyncUpTo(base, path.dirname(file))
          return written
        }),
      open: (locator, expected, onRead) =>
        Effect.flatMap(
          inBase(locator).pipe(
            Effect.mapError(() => new LocatorRefused({ message: `its locator "${locator}" is outside this worker's storage` }))
          ),
          (file) => openLocalFile(file, locator, expected, onRead)
        ),
      discard: (unit) => Effect.flatMap(inBase(unit), removeDurably),
      deleteSnapshot: (snapshot) =>
        Effect.gen(function*() {
          // the snapshot's own directory, and only if its locator is a file inside exactly that directory
          const own = resolveLocator(base, snapshotDirLocator({ ...snapshot, snapshotId: snapshot.id }))
          const artifact = resolveLocator(base, snapshot.locator)
          if (own === undefined || artifact === undefined || path.dirname(artifact) !== own) {
            return yield* new LocatorRefused({
              message: `refusing locator ${JSON.stringify(snapshot.locator)}: it is not snapshot ${snapshot.id}'s place in this worker's storage`
            })
          }
          const existed = yield* Effect.promise(() => fs.lstat(own).then(() => true, () => false))
          if (existed) {
            yield* Effect.tryPromise({ try: () => fs.rm(own, { recursive: true, force: true }), catch: (e) => StorageFailed.from("delete", own, e) })
            yield* fsyncDirectory(path.dirname(own))
          }
          return { snapshotId: snapshot.id, removed: existed }
        }),
      listIncomplete: listLocalIncomplete(base),
      listUnits: (kind) => listLocalUnits(base, kind),
      sweepIncomplete: Effect.tap(
        listLocalIncomplete(base),
        (units) => Effect.forEach(units, (unit) => removeAll(path.join(base, unit.locator)), { discard: true })
      ),
      freeBytes: Effect.promise(() => fs.statfs(base).then((s) => s.bavail * s.bsize, () => 0)),
      sizeBytes: Effect.promise(() => fs.statfs(base).then((s) => s.blocks * s.bsize, () => 0))
    } satisfies ArtifactStoreShape
  })

/** LocalFsStore on WORKER_STORAGE_BASE; building it creates the base (StorageFailed if it cannot). */
export const LocalFsStoreLive = Layer.effect(ArtifactStore, Effect.flatMap(StorageBase, makeLocalFsStore))

/** LocalFsStore on a given directory (tests, tools). */
export const localFsStoreAt = (base: string) => Layer.effect(ArtifactStore, makeLocalFsStore(base))
