import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness, eventually, filesUnder } from "../support/E2e.js"
import { startHub } from "../support/HubProcess.js"
import { buildSourceTree } from "../support/SourceTree.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { startWorker, startWorkerWith, type WorkerProcess } from "../support/WorkerProcess.js"

const e2e = e2eHarness()
let sshd: SshdServer
let worker: WorkerProcess
let tenant: { id: string }
let work: string

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

const createSource = async () => {
  const keyFile = path.join(work, "source.key")
  fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })
  return e2e.json<{ id: string }>([
    "source", "create", "--tenant-id", tenant.id, "--name", unique("src"), "--host", sshd.host,
    "--port", String(sshd.port), "--username", sshd.username, "--private-key-file", keyFile,
    "--path", path.join(sshd.root, "data")
  ])
}

const backup = async (sourceId: string) => {
  const run = await e2e.xvault(["backup", "enqueue", "--source-id", sourceId, "--wait", "--json"])
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout).snapshotId as string
}

const snapshotDir = (sourceId: string, id: string) =>
  path.join(worker.storage, "tenants", tenant.id, "sources", sourceId, "snapshots", id)

const statuses = async (sourceId: string) =>
  Object.fromEntries(
    (await e2e.query<{ id: string; status: string; deleted_at: Date | null }>(
      "SELECT id, status, deleted_at FROM snapshots WHERE source_id = $1", [sourceId]
    )).map((r) => [r.id, { status: r.status, deleted: r.deleted_at !== null }])
  )

/** Every artifact's bytes, to prove the kept ones were not touched. */
const artifactsOf = (sourceId: string, ids: ReadonlyArray<string>) =>
  Object.fromEntries(ids.map((id) => [id, fs.readFileSync(path.join(snapshotDir(sourceId, id), "backup.tar.zst.enc")).toString("base64")]))

/** Four snapshots, oldest first, and a schedule (never due in the test) carrying `policy`. */
const sourceWithSnapshots = async (policy: Record<string, unknown>) => {
  const source = await createSource()
  const ids: Array<string> = []
  for (let i = 0; i < 4; i++) ids.push(await backup(source.id))
  await e2e.api("POST", "/v1/schedules", { sourceId: source.id, cron: "0 3 1 1 *", retention: policy })
  return { source, ids }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-retention-"))
  const [hub, server] = await Promise.all([
    e2e.inScope(startHub({ env: { HUB_JOB_LEASE_SECONDS: "10", HUB_RETRY_BASE_SECONDS: "0.2", HUB_SWEEP_INTERVAL_SECONDS: "0.5" } })),
    e2e.inScope(startSshd())
  ])
  e2e.setHub(hub)
  sshd = server
  buildSourceTree(path.join(sshd.root, "data"))
  worker = await e2e.inScope(startWorker(hub))
  tenant = await e2e.json(["tenant", "create", "--name", unique("acme")])
})

afterAll(async () => {
  await e2e.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe("retention deletes on the worker that holds the snapshots (real Hub, worker, PostgreSQL, Redis, sshd)", () => {
  it("keep-last 2: the two oldest are deleted from the worker's disk and marked deleted; the kept ones are untouched", async () => {
    const { source, ids } = await sourceWithSnapshots({ keepLast: 2 })
    const kept = ids.slice(2)
    const before = artifactsOf(source.id, kept)

    const preview = await e2e.api<{ keep: Array<{ id: string; reasons: Array<string> }>; remove: Array<{ id: string }> }>(
      "POST", `/v1/sources/${source.id}/retention/preview`, {})
    expect(preview.keep.map((k) => k.id)).toEqual([...kept].reverse())
    expect(preview.keep[1]!.reasons).toEqual(["last snapshot"])
    expect(preview.remove.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort())
    expect(Object.values(await statuses(source.id)).every((s) => s.status === "available")).toBe(true)

    const applied = await e2e.api<{ deleteJobs: Array<string> }>("POST", `/v1/sources/${source.id}/retention/apply`)
    expect(applied.deleteJobs).toHaveLength(2)
    await eventually("the deletions", async () => {
      const s = await statuses(source.id)
      return ids.slice(0, 2).every((id) => s[id]!.status === "deleted") ? s : undefined
    })
    const after = await statuses(source.id)
    for (const id of ids.slice(0, 2)) {
      expect(after[id]).toEqual({ status: "deleted", deleted: true })
      expect(fs.existsSync(snapshotDir(source.id, id))).toBe(false)
    }
    for (const id of kept) expect(after[id]).toEqual({ status: "available", deleted: false })
    expect(artifactsOf(source.id, kept)).toEqual(before)
    const jobs = await e2e.query<{ status: string; worker_id: string; target_worker_id: string }>(
      "SELECT status, worker_id, target_worker_id FROM jobs WHERE id = ANY($1)", [applied.deleteJobs])
    expect(jobs).toEqual([
      { status: "succeeded", worker_id: "w1", target_worker_id: "w1" },
      { status: "succeeded", worker_id: "w1", target_worker_id: "w1" }
    ])

    // deleted snapshots leave the default list but stay, with deletedAt, for audit
    const listed = await e2e.json<{ snapshots: Array<{ id: string }> }>(["snapshot", "list", "--source-id", source.id])
    expect(listed.snapshots.map((s) => s.id).sort()).toEqual([...kept].sort())
    const audit = await e2e.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE resource_id = ANY($1) ORDER BY id", [ids.slice(0, 2)])
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["snapshot.delete", "snapshot.deleted"]))

    // applying again finds nothing more to remove
    expect((await e2e.api<{ deleteJobs: Array<string> }>("POST", `/v1/sources/${source.id}/retention/apply`)).deleteJobs).toEqual([])
  }, 180_000)

  it("a backup applies the policy on its own, and never removes the newest snapshot", async () => {
    const { source, ids } = await sourceWithSnapshots({ keepTags: [["release"]] })
    // no snapshot has the tag, yet the newest stays: the policy is restic's plus that safety rule
    const newest = await backup(source.id)
    await eventually("retention after the backup", async () => {
      const s = await statuses(source.id)
      return ids.every((id) => s[id]!.status === "deleted") ? s : undefined
    })
    expect((await statuses(source.id))[newest]).toEqual({ status: "available", deleted: false })
    expect(filesUnder(path.join(worker.storage, "tenants", tenant.id, "sources", source.id, "snapshots"))).toEqual([
      newest,
      `${newest}/backup.tar.zst.enc`,
      `${newest}/manifest.json`
    ])
  }, 180_000)

  it("with the owning worker stopped nothing is deleted, by anyone; when it returns its deletes run", async () => {
    const { source, ids } = await sourceWithSnapshots({ keepLast: 2 })
    await worker.stop()
    // another worker is up: it must not take deletes of snapshots that live on w1's disk
    const other = await e2e.inScope(startWorker(e2e.hub(), { workerId: "w2" }))

    const applied = await e2e.api<{ deleteJobs: Array<string> }>("POST", `/v1/sources/${source.id}/retention/apply`)
    expect(applied.deleteJobs).toHaveLength(2)
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const waiting = await statuses(source.id)
    for (const id of ids.slice(0, 2)) {
      expect(waiting[id]!.status).toBe("deleting")
      expect(fs.existsSync(path.join(snapshotDir(source.id, id), "backup.tar.zst.enc"))).toBe(true)
    }
    expect(await e2e.query("SELECT status FROM jobs WHERE id = ANY($1) AND status <> 'queued'", [applied.deleteJobs])).toEqual([])
    expect(other.log()).not.toContain(applied.deleteJobs[0])

    worker = await e2e.inScope(startWorkerWith(worker.env))
    await eventually("the deletions after the worker returned", async () => {
      const s = await statuses(source.id)
      return ids.slice(0, 2).every((id) => s[id]!.status === "deleted") ? s : undefined
    })
    for (const id of ids.slice(0, 2)) expect(fs.existsSync(snapshotDir(source.id, id))).toBe(false)
    for (const id of ids.slice(2)) {
      expect((await statuses(source.id))[id]).toEqual({ status: "available", deleted: false })
      expect(fs.existsSync(path.join(snapshotDir(source.id, id), "backup.tar.zst.enc"))).toBe(true)
    }
  }, 180_000)
})
