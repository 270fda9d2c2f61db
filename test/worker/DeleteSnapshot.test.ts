import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Exit } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { SnapshotId, SourceId, TenantId } from "../../src/shared/contract/Ids.js"
import type { SnapshotOnWorker } from "../../src/shared/contract/Workers.js"
import { artifactLocator, snapshotDirLocator } from "../../src/shared/storage/Locators.js"
import { ArtifactStore } from "../../src/worker/storage/ArtifactStore.js"
import { localFsStoreAt } from "../../src/worker/storage/LocalFsStore.js"

const deleteSnapshot = (base: string, snapshot: SnapshotOnWorker) =>
  Effect.flatMap(ArtifactStore, (store) => store.deleteSnapshot(snapshot)).pipe(Effect.provide(localFsStoreAt(base)))

const bases: Array<string> = []
const storageBase = () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-delete-"))
  bases.push(base)
  return base
}
afterEach(() => {
  for (const base of bases.splice(0)) fs.rmSync(base, { recursive: true, force: true })
})

const stored = (base: string): SnapshotOnWorker => {
  const ids = { tenantId: randomUUID() as TenantId, sourceId: randomUUID() as SourceId, snapshotId: randomUUID() as SnapshotId }
  const dir = path.join(base, snapshotDirLocator(ids))
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, "backup.tar.zst.enc"), "artifact")
  fs.writeFileSync(path.join(dir, "manifest.json"), "{}")
  return { id: ids.snapshotId, tenantId: ids.tenantId, sourceId: ids.sourceId, locator: artifactLocator(ids), sha256: "0".repeat(64), sizeBytes: 8 }
}

describe("deleting a snapshot on the worker's volume", () => {
  it("removes the snapshot's directory and only it; deleting again succeeds with removed: false", async () => {
    const base = storageBase()
    const doomed = stored(base)
    const neighbour = stored(base)
    expect(await Effect.runPromise(deleteSnapshot(base, doomed))).toEqual({ snapshotId: doomed.id, removed: true })
    expect(fs.existsSync(path.dirname(path.join(base, doomed.locator)))).toBe(false)
    expect(fs.readFileSync(path.join(base, neighbour.locator), "utf8")).toBe("artifact")
    expect(await Effect.runPromise(deleteSnapshot(base, doomed))).toEqual({ snapshotId: doomed.id, removed: false })
  })

  it.each([
    ["outside the storage base", "../../../etc/passwd"],
    ["absolute", "/etc/passwd"],
    ["another snapshot's directory", "OTHER"],
    ["the source directory itself", "SOURCE"]
  ])("refuses a locator %s, touching nothing", async (_what, locator) => {
    const base = storageBase()
    const snapshot = stored(base)
    const other = stored(base)
    const given = locator === "OTHER"
      ? other.locator
      : locator === "SOURCE"
      ? `tenants/${snapshot.tenantId}/sources/${snapshot.sourceId}/backup.tar.zst.enc`
      : locator
    const exit = await Effect.runPromiseExit(deleteSnapshot(base, { ...snapshot, locator: given }))
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) expect(String(exit.cause)).toMatch(/refusing locator/)
    expect(fs.existsSync(path.join(base, snapshot.locator))).toBe(true)
    expect(fs.existsSync(path.join(base, other.locator))).toBe(true)
  })
})
