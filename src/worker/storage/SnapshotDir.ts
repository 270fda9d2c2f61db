import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { fsyncDirectory } from "./AtomicFile.js"
import { resolveLocator, type SnapshotRef, snapshotDirLocator } from "./SnapshotPaths.js"
import { StorageFailed } from "./StorageFailed.js"

/** The directory one snapshot lives in, on this worker's volume. */
export const snapshotDir = (base: string, ref: SnapshotRef) => {
  const dir = resolveLocator(base, snapshotDirLocator(ref))
  // ids are UUIDs by schema, so this only guards against a bug, not a user
  if (dir === undefined) throw new Error(`snapshot directory escapes the storage base: ${snapshotDirLocator(ref)}`)
  return dir
}

export const removeDir = (dir: string) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))

/**
 * An empty directory for a new attempt: whatever an earlier attempt left there is removed,
 * so a retry never mixes its files with a crashed run's.
 */
export const freshDir = (dir: string) =>
  Effect.zipRight(
    removeDir(dir),
    Effect.tryPromise({ try: () => fs.mkdir(dir, { recursive: true, mode: 0o750 }), catch: (e) => StorageFailed.from("create", dir, e) })
  )

/** After the final renames: the files, the directory and its ancestors' entries survive a power cut. */
export const fsyncUpTo = (base: string, dir: string) =>
  Effect.gen(function*() {
    const root = path.resolve(base)
    for (let d = path.resolve(dir); d.startsWith(root); d = path.dirname(d)) {
      yield* fsyncDirectory(d)
      if (d === root) break
    }
  })
