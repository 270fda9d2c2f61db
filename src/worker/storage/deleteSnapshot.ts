import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Data, Effect } from "effect"
import type { SnapshotOnWorker } from "../../shared/contract/Workers.js"
import { fsyncDirectory } from "./AtomicFile.js"
import { resolveLocator, snapshotDirLocator } from "./SnapshotPaths.js"
import { StorageFailed } from "./StorageFailed.js"

/** A job pointed outside this worker's storage layout: never act on it, and never retry. */
export class LocatorRefused extends Data.TaggedError("LocatorRefused")<{ readonly message: string }> {
  get retryable(): boolean {
    return false
  }
}

/**
 * The snapshot's own directory, if its locator is the artifact inside exactly that directory
 * under the storage base; whatever a row says, nothing else is ever touched.
 */
export const ownSnapshotDir = (base: string, snapshot: SnapshotOnWorker) => {
  const artifact = resolveLocator(base, snapshot.locator)
  const dir = resolveLocator(base, snapshotDirLocator({ ...snapshot, snapshotId: snapshot.id }))
  return artifact !== undefined && dir !== undefined && path.dirname(artifact) === dir
    ? Effect.succeed(dir)
    : Effect.fail(new LocatorRefused({ message: `refusing locator ${JSON.stringify(snapshot.locator)}: it is not snapshot ${snapshot.id}'s place in this worker's storage` }))
}

/**
 * Removes a snapshot's directory and makes the removal durable. Already gone is success
 * (`removed: false`): a retried or repeated delete must not fail.
 */
export const deleteSnapshot = (base: string, snapshot: SnapshotOnWorker) =>
  Effect.gen(function*() {
    const dir = yield* ownSnapshotDir(base, snapshot)
    const existed = yield* Effect.promise(() => fs.lstat(dir).then(() => true, () => false))
    if (existed) {
      yield* Effect.tryPromise({ try: () => fs.rm(dir, { recursive: true, force: true }), catch: (e) => StorageFailed.from("delete", dir, e) })
      yield* fsyncDirectory(path.dirname(dir))
    }
    return { snapshotId: snapshot.id, removed: existed }
  })
