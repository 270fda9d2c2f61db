import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { MANIFEST_FILE, PARTIAL_SUFFIX } from "./SnapshotPaths.js"

const subdirs = async (dir: string) =>
  (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) =>
    path.join(dir, d.name)
  )

/**
 * At startup, before any job runs: a snapshot directory with a `.partial` file or without its
 * manifest (written last) is what a crashed attempt left; it was never reported, so it goes.
 * Returns the directories removed.
 */
export const sweepIncomplete = (base: string) =>
  Effect.promise(async () => {
    const removed: Array<string> = []
    for (const tenant of await subdirs(path.join(base, "tenants"))) {
      for (const source of await subdirs(path.join(tenant, "sources"))) {
        for (const snapshot of await subdirs(path.join(source, "snapshots"))) {
          const files = await fs.readdir(snapshot)
          if (files.some((f) => f.endsWith(PARTIAL_SUFFIX)) || !files.includes(MANIFEST_FILE)) {
            await fs.rm(snapshot, { recursive: true, force: true })
            removed.push(path.relative(base, snapshot))
          }
        }
      }
    }
    return removed
  })
