import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ArtifactStore } from "../../../src/worker/storage/ArtifactStore.js"
import { localFsStoreAt } from "../../../src/worker/storage/LocalFsStore.js"

const base = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-sweep-restores-"))
afterAll(() => fs.rmSync(base, { recursive: true, force: true }))

const unitDir = (kind: "restores" | "snapshots", id: string, files: Record<string, string>) => {
  const dir = path.join(base, "tenants", "t1", "sources", "s1", kind, id)
  fs.mkdirSync(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content)
  return dir
}

describe("the startup sweep of a LocalFsStore", () => {
  it.effect("removes restores and snapshots a crash left half-written and keeps finished ones", () =>
    Effect.gen(function*() {
      const done = unitDir("restores", "done", { "restore.tar": "tar" })
      unitDir("restores", "partial", { "restore.tar.partial": "half" })
      unitDir("restores", "empty", {})
      const snapshot = unitDir("snapshots", "x", { "backup.tar.zst.enc": "a", "manifest.json": "{}" })
      unitDir("snapshots", "crashed", { "backup.tar.zst.enc": "a" })
      const store = yield* ArtifactStore
      const removed = yield* store.sweepIncomplete
      expect(removed.map((u) => u.locator).sort()).toEqual([
        "tenants/t1/sources/s1/restores/empty",
        "tenants/t1/sources/s1/restores/partial",
        "tenants/t1/sources/s1/snapshots/crashed"
      ])
      expect(removed.filter((u) => u.kind === "restores")).toHaveLength(2)
      expect(fs.existsSync(done)).toBe(true)
      expect(fs.existsSync(snapshot)).toBe(true)
      expect(yield* store.listIncomplete).toEqual([])
    }).pipe(Effect.provide(localFsStoreAt(base))))
})
