import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { UNIT_KINDS, unitPath } from "../../shared/storage/Locators.js"
import type { IncompleteUnit, StoredUnit } from "./ArtifactStore.js"
import { PARTIAL_SUFFIX } from "./LocalPaths.js"
import { StorageFailed } from "./StorageFailed.js"

const subdirs = async (dir: string) =>
  (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name))

/** The directories under `dir` matching `segments` (null: any name). */
const walk = async (dir: string, segments: ReadonlyArray<string | null>): Promise<Array<string>> => {
  if (segments.length === 0) return [dir]
  const [first, ...rest] = segments
  const next = first === null ? await subdirs(dir) : [path.join(dir, first!)]
  return (await Promise.all(next.map((d) => walk(d, rest)))).flat()
}

/** Complete unit directories of one kind, with the time their last file was written. */
export const listLocalUnits = (base: string, kind: IncompleteUnit["kind"]): Effect.Effect<ReadonlyArray<StoredUnit>, StorageFailed> =>
  Effect.tryPromise({
    try: async () => {
      const { completeWith } = UNIT_KINDS.find((k) => k.kind === kind)!
      const found: Array<StoredUnit> = []
      for (const unit of await walk(base, unitPath(kind))) {
        const files = await fs.readdir(unit)
        if (files.some((f) => f.endsWith(PARTIAL_SUFFIX))) continue
        const last = await fs.stat(path.join(unit, completeWith)).catch(() => undefined)
        if (last?.isFile()) found.push({ locator: path.relative(base, unit), completedAt: last.mtime })
      }
      return found
    },
    catch: (e) => StorageFailed.from("list", base, e)
  })

/**
 * The unit directories (Locators' unitPath) holding a `.partial` file or lacking the file
 * written last (the manifest; restore.tar): what a crashed attempt left. It was never
 * reported, so nothing refers to it.
 */
export const listLocalIncomplete = (base: string): Effect.Effect<ReadonlyArray<IncompleteUnit>, StorageFailed> =>
  Effect.tryPromise({
    try: async () => {
      const found: Array<IncompleteUnit> = []
      for (const { kind, completeWith } of UNIT_KINDS) {
        for (const unit of await walk(base, unitPath(kind))) {
          const files = await fs.readdir(unit)
          if (files.some((f) => f.endsWith(PARTIAL_SUFFIX)) || !files.includes(completeWith)) {
            found.push({ kind, locator: path.relative(base, unit) })
          }
        }
      }
      return found
    },
    catch: (e) => StorageFailed.from("list", base, e)
  })
