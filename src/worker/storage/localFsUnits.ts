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

/** Every unit directory of one kind, and whether it is complete: its last file there, nothing `.partial`. */
const scanUnits = async (base: string, kind: IncompleteUnit["kind"]) => {
  const { completeWith } = UNIT_KINDS.find((k) => k.kind === kind)!
  return Promise.all((await walk(base, unitPath(kind))).map(async (unit) => {
    const files = await fs.readdir(unit)
    const complete = files.includes(completeWith) && !files.some((f) => f.endsWith(PARTIAL_SUFFIX))
    return { locator: path.relative(base, unit), last: path.join(unit, completeWith), complete }
  }))
}

/** Complete unit directories of one kind, with the time their last file was written. */
export const listLocalUnits = (base: string, kind: IncompleteUnit["kind"]): Effect.Effect<ReadonlyArray<StoredUnit>, StorageFailed> =>
  Effect.tryPromise({
    try: async () => {
      const found: Array<StoredUnit> = []
      for (const unit of (await scanUnits(base, kind)).filter((u) => u.complete)) {
        const last = await fs.stat(unit.last).catch(() => undefined)
        if (last?.isFile()) found.push({ locator: unit.locator, completedAt: last.mtime })
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
      for (const { kind } of UNIT_KINDS) {
        for (const unit of await scanUnits(base, kind)) if (!unit.complete) found.push({ kind, locator: unit.locator })
      }
      return found
    },
    catch: (e) => StorageFailed.from("list", base, e)
  })
