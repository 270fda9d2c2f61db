import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness, eventually } from "../support/E2e.js"
import { freePort, runCli, startHub } from "../support/HubProcess.js"
import { parsePromText, samplesOf } from "../support/PromText.js"
import { buildSourceTree } from "../support/SourceTree.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { startWorker, workerEnv, type WorkerProcess } from "../support/WorkerProcess.js"

const e2e = e2eHarness()
let sshd: SshdServer
let worker: WorkerProcess
let work: string
let tenant: { id: string }
let metricsUrl: string

const createSource = async (name: string, dataPath: string) => {
  const keyFile = path.join(work, "id")
  fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })
  return e2e.json<{ id: string }>([
    "source", "create", "--tenant-id", tenant.id, "--name", name, "--host", sshd.host, "--port", String(sshd.port),
    "--username", sshd.username, "--private-key-file", keyFile, "--path", dataPath
  ])
}

const dirOf = (sourceId: string, kind: "snapshots" | "restores", id: string) =>
  path.join(worker.storage, "tenants", tenant.id, "sources", sourceId, kind, id)

/** A snapshot directory as a backup leaves it (or, with `partial`, while it is still writing). */
const plantSnapshot = (sourceId: string, id: string, options: { partial?: boolean } = {}) => {
  const dir = dirOf(sourceId, "snapshots", id)
  fs.mkdirSync(dir, { recursive: true })
  if (options.partial) fs.writeFileSync(path.join(dir, "backup.tar.zst.enc.partial"), "half written")
  else {
    fs.writeFileSync(path.join(dir, "backup.tar.zst.enc"), "age-encryption.org/v1 ...")
    fs.writeFileSync(path.join(dir, "manifest.json"), "{}")
  }
  return dir
}

const plantRestore = (sourceId: string, ageDays: number) => {
  const dir = dirOf(sourceId, "restores", randomUUID())
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, "restore.tar")
  fs.writeFileSync(file, "tar")
  const when = new Date(Date.now() - ageDays * 86_400_000)
  fs.utimesSync(file, when, when)
  return dir
}

const passes = () => worker.log().split("\n").filter((l) => l.includes("reconcile done")).length

/** Waits until the worker has finished `n` more whole passes, so every planted directory was judged. */
const morePasses = async (n: number) => {
  const target = passes() + n
  await eventually(`${n} more reconcile passes`, async () => (passes() >= target ? true : undefined))
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-reconcile-"))
  const [hub, server] = await Promise.all([e2e.inScope(startHub()), e2e.inScope(startSshd())])
  e2e.setHub(hub)
  sshd = server
  const metricsPort = await freePort()
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
  worker = await e2e.inScope(startWorker(hub, {
    env: { WORKER_RECONCILE_INTERVAL: "1s", WORKER_METRICS_PORT: String(metricsPort), WORKER_METRICS_HOST: "127.0.0.1" }
  }))
  tenant = await e2e.json(["tenant", "create", "--name", "reconcile-acme"])
  buildSourceTree(path.join(sshd.root, "data"))
})

afterAll(async () => {
  await e2e.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe("reconcile (real Hub, worker, PostgreSQL, Redis, sshd)", () => {
  it("removes only what the Hub has no live record of; nothing with a live row or a live job goes", async () => {
    const source = await createSource("web1", path.join(sshd.root, "data"))
    const first = await e2e.json<{ snapshotId: string; status: string }>(["backup", "enqueue", "--source-id", source.id, "--wait"])
    expect(first.status).toBe("succeeded")
    const available = dirOf(source.id, "snapshots", first.snapshotId)

    // a backup whose job ended without a snapshot row: the worker died after the rename
    const broken = await createSource("web2", path.join(sshd.root, "no-such-dir"))
    const failed = await e2e.xvault(["backup", "enqueue", "--source-id", broken.id, "--wait", "--json"])
    expect(failed.code).toBe(1)
    const [failedJob] = await e2e.query<{ snapshot_id: string }>("SELECT snapshot_id FROM jobs WHERE source_id = $1", [broken.id])
    const orphan = plantSnapshot(broken.id, failedJob!.snapshot_id)

    // a snapshot whose row was deleted (retention ran) but whose files are still there
    const second = await e2e.json<{ snapshotId: string }>(["backup", "enqueue", "--source-id", source.id, "--wait"])
    await e2e.query("UPDATE snapshots SET status = 'deleted', deleted_at = now() WHERE id = $1", [second.snapshotId])
    const leftover = dirOf(source.id, "snapshots", second.snapshotId)
    expect(fs.existsSync(leftover)).toBe(true)

    // a backup running right now (its lease an hour out, so the sweeper leaves it): its directory is being written
    const running = randomUUID()
    await e2e.query(
      `INSERT INTO jobs (id, type, status, tenant_id, source_id, snapshot_id, worker_id, attempt, lease_id, lease_expires_at, started_at)
       VALUES ($1, 'backup', 'running', $2, $3, $4, 'w1', 1, $5, now() + interval '1 hour', now())`,
      [randomUUID(), tenant.id, source.id, running, randomUUID()]
    )
    const writing = plantSnapshot(source.id, running, { partial: true })
    // a queued backup's snapshot id (waiting out a backoff) already has a directory from its last attempt
    const waiting = randomUUID()
    const third = await createSource("web3", path.join(sshd.root, "data"))
    await e2e.query(
      `INSERT INTO jobs (id, type, status, tenant_id, source_id, snapshot_id, attempt, available_at)
       VALUES ($1, 'backup', 'queued', $2, $3, $4, 1, now() + interval '1 hour')`,
      [randomUUID(), tenant.id, third.id, waiting]
    )
    const retrying = plantSnapshot(third.id, waiting)
    // never heard of by this database (another installation's volume, an older database restored)
    const stranger = plantSnapshot(source.id, randomUUID())
    const notOurs = plantSnapshot(source.id, "not-a-snapshot-id")

    const oldRestore = plantRestore(source.id, 8)
    const youngRestore = plantRestore(source.id, 1)

    await eventually("the orphan and the leftover to be removed", async () =>
      !fs.existsSync(orphan) && !fs.existsSync(leftover) ? true : undefined)
    await morePasses(2)
    for (const kept of [available, writing, retrying, stranger, notOurs]) expect(fs.existsSync(kept), kept).toBe(true)
    expect(fs.readdirSync(available).sort()).toEqual(["backup.tar.zst.enc", "manifest.json"])
    expect(fs.existsSync(oldRestore)).toBe(false)
    expect(fs.existsSync(youngRestore)).toBe(true)

    // the Hub's own records are untouched, and the removals are audited under the worker
    const rows = await e2e.query<{ id: string; status: string }>("SELECT id, status FROM snapshots WHERE source_id = $1 ORDER BY created_at", [source.id])
    expect(rows).toEqual([{ id: first.snapshotId, status: "available" }, { id: second.snapshotId, status: "deleted" }])
    const audit = await e2e.query<{ actor_role: string; actor_subject: string; details: { removeSnapshotIds: Array<string> } }>(
      "SELECT actor_role, actor_subject, details FROM audit_log WHERE action = 'worker.reconcile'")
    expect(audit.length).toBeGreaterThan(0)
    expect(audit.every((a) => a.actor_role === "worker" && a.actor_subject === "w1")).toBe(true)
    expect(audit.flatMap((a) => a.details.removeSnapshotIds).sort()).toEqual([failedJob!.snapshot_id, second.snapshotId].sort())
    expect(worker.log()).toMatch(/kept 1 snapshot director\(ies\) the Hub's database has never heard of/)

    const metrics = parsePromText(await (await fetch(metricsUrl)).text())
    expect(samplesOf(metrics, "xvault_worker_reconcile_removed_total", { kind: "snapshot" })[0]!.value).toBe(2)
    expect(samplesOf(metrics, "xvault_worker_reconcile_removed_total", { kind: "restore" })[0]!.value).toBe(1)
    const [last] = samplesOf(metrics, "xvault_worker_reconcile_last_success_timestamp_seconds")
    expect(Date.now() / 1000 - last!.value).toBeLessThan(30)
  })

  it("a worker token can reconcile only as itself; other tokens are refused", async () => {
    const response = await fetch(`${e2e.hub().baseUrl}/v1/worker/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${e2e.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ snapshots: [] })
    })
    expect(response.status).toBe(403)
    const tooMany = await fetch(`${e2e.hub().baseUrl}/v1/worker/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${worker.env["WORKER_TOKEN"]}`, "content-type": "application/json" },
      body: JSON.stringify({ snapshots: Array.from({ length: 1001 }, () => ({ tenantId: randomUUID(), sourceId: randomUUID(), snapshotId: randomUUID() })) })
    })
    expect(tooMany.status).toBe(400)
  })

  it("a malformed interval or TTL, or a bad or taken metrics port, stops the worker at start-up with 78, naming the variable", async () => {
    const taken = new URL(e2e.hub().baseUrl).port
    const cases = [["WORKER_RECONCILE_INTERVAL", "daily"], ["WORKER_RESTORE_TTL", "0d"], ["WORKER_METRICS_PORT", "99999"], ["WORKER_METRICS_PORT", taken]] as const
    for (const [name, value] of cases) {
      const result = await runCli(["worker", "run"], { env: { ...workerEnv(e2e.hub(), "w-bad", work), [name]: value } })
      expect(result.code, `${name}=${value}: ${result.stderr}`).toBe(78)
      expect(result.stderr).toContain(name)
    }
  })
})
