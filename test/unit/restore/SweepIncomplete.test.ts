import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { sweepIncompleteRestores } from "../../../src/worker/restore/sweepIncompleteRestores.js"

const base = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-sweep-restores-"))
afterAll(() => fs.rmSync(base, { recursive: true, force: true }))

const restoreDir = (id: string, files: Record<string, string>) => {
  const dir = path.join(base, "tenants", "t1", "sources", "s1", "restores", id)
  fs.mkdirSync(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content)
  return dir
}

describe("sweepIncompleteRestores", () => {
  it.effect("removes restores a crash left half-written and keeps finished ones and snapshots", () =>
    Effect.gen(function*() {
      const done = restoreDir("done", { "restore.tar": "tar" })
      restoreDir("partial", { "restore.tar.partial": "half" })
      restoreDir("empty", {})
      const snapshot = path.join(base, "tenants", "t1", "sources", "s1", "snapshots", "x")
      fs.mkdirSync(snapshot, { recursive: true })
      const removed = yield* sweepIncompleteRestores(base)
      expect(removed.sort()).toEqual(["tenants/t1/sources/s1/restores/empty", "tenants/t1/sources/s1/restores/partial"])
      expect(fs.existsSync(done)).toBe(true)
      expect(fs.existsSync(snapshot)).toBe(true)
    }))
})
