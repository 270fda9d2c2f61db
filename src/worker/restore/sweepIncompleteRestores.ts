import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { PARTIAL_SUFFIX } from "../storage/SnapshotPaths.js"
import { RESTORE_FILE } from "./RestorePaths.js"

const subdirs = async (dir: string) =>
  (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name))

/**
 * At startup, before any job runs: a restore directory without its `restore.tar` (or with a
 * `.partial` beside it) is what a crashed archive restore left; it was never reported, so it goes.
 * Returns the directories removed, relative to the storage base.
 */
export const sweepIncompleteRestores = (base: string) =>
  Effect.promise(async () => {
    const removed: Array<string> = []
    for (const tenant of await subdirs(path.join(base, "tenants"))) {
      for (const source of await subdirs(path.join(tenant, "sources"))) {
        for (const restore of await subdirs(path.join(source, "restores"))) {
          const files = await fs.readdir(restore)
          if (files.some((f) => f.endsWith(PARTIAL_SUFFIX)) || !files.includes(RESTORE_FILE)) {
            await fs.rm(restore, { recursive: true, force: true })
            removed.push(path.relative(base, restore))
          }
        }
      }
    }
    return removed
  })
