import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Schema } from "effect"
import { StoredSnapshotDir } from "../../shared/contract/Workers.js"
import { RESTORE_FILE } from "../restore/RestorePaths.js"
import { fsyncDirectory } from "../storage/AtomicFile.js"
import { snapshotDir } from "../storage/SnapshotDir.js"
import { resolveLocator } from "../storage/SnapshotPaths.js"
import { StorageFailed } from "../storage/StorageFailed.js"

/** A finished archive restore on the volume: `restores/{id}/restore.tar` and when it was written. */
export interface RestoreArchive {
  /** The restore's directory, relative to the storage base. */
  readonly locator: string
  readonly modifiedAt: Date
}

/**
 * The little reconcile needs from a worker's storage, so it can move to another store
 * without changing: list what is there, remove one thing.
 */
export interface ReconcileStore {
  /** Snapshot directories whose tenant, source and snapshot names are ids; anything else is not ours to judge. */
  readonly listSnapshotDirs: Effect.Effect<ReadonlyArray<StoredSnapshotDir>, StorageFailed>
  /** Removes the directory and makes that durable; already gone is success. */
  readonly removeSnapshotDir: (dir: StoredSnapshotDir) => Effect.Effect<void, StorageFailed>
  readonly listRestoreArchives: Effect.Effect<ReadonlyArray<RestoreArchive>, StorageFailed>
  readonly removeRestoreDir: (locator: string) => Effect.Effect<void, StorageFailed>
}

const isDir = Schema.is(StoredSnapshotDir)

const subdirs = (dir: string) =>
  fs.readdir(dir, { withFileTypes: true }).then((entries) => entries.filter((e) => e.isDirectory()).map((e) => e.name), () => [])

/** `tenants/{t}/sources/{s}/{kind}/{name}` for every such directory, as path parts. */
const walk = async (base: string, kind: "snapshots" | "restores") => {
  const found: Array<{ tenantId: string; sourceId: string; name: string }> = []
  for (const tenantId of await subdirs(path.join(base, "tenants"))) {
    for (const sourceId of await subdirs(path.join(base, "tenants", tenantId, "sources"))) {
      for (const name of await subdirs(path.join(base, "tenants", tenantId, "sources", sourceId, kind))) found.push({ tenantId, sourceId, name })
    }
  }
  return found
}

const removeTree = (dir: string) =>
  Effect.tryPromise({ try: () => fs.rm(dir, { recursive: true, force: true }), catch: (e) => StorageFailed.from("remove", dir, e) }).pipe(
    Effect.zipRight(fsyncDirectory(path.dirname(dir))),
    // the parent vanished too: nothing left to make durable
    Effect.catchIf((e) => /ENOENT|no such file/i.test(e.message), () => Effect.void)
  )

/** The ReconcileStore of the local-filesystem layout under WORKER_STORAGE_BASE. */
export const localReconcileStore = (base: string): ReconcileStore => ({
  listSnapshotDirs: Effect.tryPromise({ try: () => walk(base, "snapshots"), catch: (e) => StorageFailed.from("list", base, e) }).pipe(
    Effect.map((dirs) => dirs.map((d) => ({ tenantId: d.tenantId, sourceId: d.sourceId, snapshotId: d.name })).filter(isDir))
  ),
  removeSnapshotDir: (dir) => removeTree(snapshotDir(base, dir)),
  listRestoreArchives: Effect.tryPromise({
    try: async () => {
      const archives: Array<RestoreArchive> = []
      for (const d of await walk(base, "restores")) {
        const locator = `tenants/${d.tenantId}/sources/${d.sourceId}/restores/${d.name}`
        const stat = await fs.stat(path.join(base, locator, RESTORE_FILE)).catch(() => undefined)
        if (stat?.isFile()) archives.push({ locator, modifiedAt: stat.mtime })
      }
      return archives
    },
    catch: (e) => StorageFailed.from("list", base, e)
  }),
  removeRestoreDir: (locator) => {
    const dir = resolveLocator(base, locator)
    return dir === undefined ? Effect.void : removeTree(dir)
  }
})
