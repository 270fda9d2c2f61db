import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness, eventually, sleep } from "../support/E2e.js"
import { startHub } from "../support/HubProcess.js"
import { buildSourceTree } from "../support/SourceTree.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { signatureChecksOut, startWebhookReceiver, type ReceivedHook } from "../support/WebhookReceiver.js"
import { startWorker, type WorkerProcess } from "../support/WorkerProcess.js"

// Webhooks, missed backups and scheduled verification against real processes: a Hub, a worker,
// two sshd, PostgreSQL, Redis and an HTTP receiver on loopback (hence HUB_WEBHOOK_ALLOW_PRIVATE).

const e2e = e2eHarness()
let keySshd: SshdServer
let passwordSshd: SshdServer
let worker: WorkerProcess
let receiver: Effect.Effect.Success<typeof startWebhookReceiver>
let work: string

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

const hooksAt = (p: string) => receiver.received.filter((h) => h.path === p)
const bodyOf = (hook: ReceivedHook) => JSON.parse(hook.body) as { id: string; type: string; occurredAt: string; tenantId: string; data: Record<string, any> }

/** A tenant with a webhook for `events` at a path of its own on the receiver. */
const tenantWithWebhook = async (events: string) => {
  const tenant = await e2e.json<{ id: string }>(["tenant", "create", "--name", unique("t")])
  const hookPath = `/${unique("hook")}`
  const webhook = await e2e.json<{ id: string; secret: string; events: Array<string> }>([
    "webhook", "create", "--tenant-id", tenant.id, "--url", receiver.url(hookPath), "--events", events
  ])
  return { tenantId: tenant.id, hookPath, webhook }
}

const keySource = async (tenantId: string) => {
  const keyFile = path.join(work, "key")
  fs.writeFileSync(keyFile, keySshd.privateKey, { mode: 0o600 })
  return e2e.json<{ id: string }>([
    "source", "create", "--tenant-id", tenantId, "--name", unique("src"), "--host", keySshd.host, "--port", String(keySshd.port),
    "--username", keySshd.username, "--private-key-file", keyFile, "--path", path.join(keySshd.root, "data")
  ])
}

const backup = async (sourceId: string) => {
  const run = await e2e.xvault(["backup", "enqueue", "--source-id", sourceId, "--wait", "--json"])
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as { id: string; snapshotId: string }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-webhooks-e2e-"))
  receiver = await e2e.inScope(startWebhookReceiver)
  const [hub, keyServer, passwordServer] = await Promise.all([
    e2e.inScope(startHub({
      env: {
        HUB_WEBHOOK_ALLOW_PRIVATE: "true",
        HUB_WEBHOOK_INTERVAL_SECONDS: "0.2",
        HUB_WEBHOOK_RETRY_BASE_SECONDS: "0.2",
        HUB_BACKUP_MISSED_GRACE_SECONDS: "1",
        HUB_SCHEDULER_INTERVAL_SECONDS: "0.2",
        HUB_JOB_LEASE_SECONDS: "10",
        HUB_RETRY_BASE_SECONDS: "0.2",
        HUB_SWEEP_INTERVAL_SECONDS: "0.5"
      }
    })),
    e2e.inScope(startSshd()),
    e2e.inScope(startSshd({ password: true }))
  ])
  e2e.setHub(hub)
  keySshd = keyServer
  passwordSshd = passwordServer
  buildSourceTree(path.join(keySshd.root, "data"))
  worker = await e2e.inScope(startWorker(hub))
}, 60_000)

afterAll(async () => {
  await e2e.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe("webhooks from the outbox (real Hub, worker, sshd and receiver)", () => {
  it("a backup that fails (bad password) delivers exactly one signed backup.failed", async () => {
    const { tenantId, hookPath, webhook } = await tenantWithWebhook("backup.failed")
    expect(webhook.secret).toMatch(/^whsec_/)
    const source = await e2e.json<{ id: string }>([
      "source", "create", "--tenant-id", tenantId, "--name", unique("src"), "--host", passwordSshd.host,
      "--port", String(passwordSshd.port), "--username", passwordSshd.username, "--password-stdin", "--path", "/srv"
    ], { stdin: "wrong-password-0451" })
    const run = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--wait", "--json"])
    expect(run.code).toBe(1)
    const [job] = await e2e.query<{ id: string }>("SELECT id FROM jobs WHERE source_id = $1", [source.id])

    const [hook] = await eventually("the backup.failed delivery", async () => (hooksAt(hookPath).length > 0 ? hooksAt(hookPath) : undefined))
    await sleep(1_500) // several delivery ticks: nothing is sent twice
    expect(hooksAt(hookPath)).toHaveLength(1)

    expect(signatureChecksOut(hook!, webhook.secret)).toBe(true)
    expect(signatureChecksOut(hook!, `${webhook.secret}x`)).toBe(false)
    const body = bodyOf(hook!)
    expect(body).toEqual({
      id: hook!.headers["x-xvault-event-id"],
      type: "backup.failed",
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      tenantId,
      data: { jobId: job!.id, sourceId: source.id, attempt: 1, error: expect.stringMatching(/authentication failed/) }
    })
    expect(hook!.headers["x-xvault-event"]).toBe("backup.failed")
    expect(Math.abs(Number(hook!.headers["x-xvault-timestamp"]) - Date.now() / 1000)).toBeLessThan(60)
    expect(hook!.body).not.toContain("wrong-password-0451")

    const log = await e2e.json<Array<Record<string, unknown>>>(["webhook", "deliveries", "--webhook-id", webhook.id])
    expect(log).toEqual([{
      eventId: body.id, event: "backup.failed", deliveryStatus: "delivered", attempt: 1, statusCode: 200, error: null,
      at: expect.stringMatching(/^\d{4}-/)
    }])
  })

  it("a receiver that answers 500 twice gets the event on the third try; the log shows all three", async () => {
    const { tenantId, hookPath, webhook } = await tenantWithWebhook("backup.succeeded")
    receiver.answer.set(hookPath, [500, 500])
    const source = await keySource(tenantId)
    const job = await backup(source.id)

    const hooks = await eventually("the third attempt", async () => (hooksAt(hookPath).length >= 3 ? hooksAt(hookPath) : undefined))
    await sleep(1_000)
    expect(hooksAt(hookPath).map((h) => h.status)).toEqual([500, 500, 200])
    expect(hooks.map((h) => h.headers["x-xvault-delivery-attempt"])).toEqual(["1", "2", "3"])
    expect(new Set(hooks.map((h) => h.body)).size).toBe(1)
    expect(new Set(hooks.map((h) => h.headers["x-xvault-event-id"])).size).toBe(1)
    expect(hooks.every((h) => signatureChecksOut(h, webhook.secret))).toBe(true)
    expect(bodyOf(hooks[2]!)).toMatchObject({ type: "backup.succeeded", tenantId, data: { jobId: job.id, snapshotId: job.snapshotId, sourceId: source.id } })

    const log = await e2e.json<Array<{ attempt: number; statusCode: number; error: string | null; deliveryStatus: string }>>(
      ["webhook", "deliveries", "--webhook-id", webhook.id])
    expect(log.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [3, 200, null], [2, 500, "the receiver answered 500"], [1, 500, "the receiver answered 500"]
    ])
    expect(log.every((a) => a.deliveryStatus === "delivered")).toBe(true)
    const human = await e2e.xvault(["webhook", "deliveries", "--webhook-id", webhook.id])
    expect(human.stdout).toMatch(/^AT\s+EVENT\s+EVENT ID\s+ATTEMPT\s+STATUS\s+DELIVERY\s+ERROR$/m)
    expect(human.stdout).toMatch(/backup\.succeeded\s+\S+\s+2\s+500\s+delivered\s+the receiver answered 500/)
  })

  it("a missed schedule fires backup.missed once per missed due time, not every sweep", async () => {
    const { tenantId, hookPath } = await tenantWithWebhook("backup.missed")
    // nothing listens on port 1: the scheduled backups never succeed
    const source = await e2e.json<{ id: string }>([
      "source", "create", "--tenant-id", tenantId, "--name", unique("src"), "--host", "127.0.0.1", "--port", "1",
      "--username", "backup", "--password-stdin", "--path", "/srv"
    ], { stdin: "pw" })
    const schedule = await e2e.json<{ id: string }>(["schedule", "create", "--source-id", source.id, "--cron", "0 3 * * *"])
    const [due] = await e2e.query<{ next_due_at: Date }>(
      "UPDATE schedules SET next_due_at = date_trunc('second', now()) - interval '1 second' WHERE id = $1 RETURNING next_due_at", [schedule.id])

    const [hook] = await eventually("the backup.missed delivery", async () => (hooksAt(hookPath).length > 0 ? hooksAt(hookPath) : undefined))
    await sleep(2_000) // ten scheduler sweeps at 0.2 s
    expect(hooksAt(hookPath)).toHaveLength(1)
    expect(bodyOf(hook!)).toMatchObject({
      type: "backup.missed",
      tenantId,
      data: { scheduleId: schedule.id, sourceId: source.id, dueAt: due!.next_due_at.toISOString(), graceSeconds: 1 }
    })

    // the next due time that passes without a backup is a new miss, reported once more
    await eventually("the first scheduled backup to end", async () => {
      const rows = await e2e.query<{ status: string }>("SELECT status FROM jobs WHERE source_id = $1 AND status IN ('queued', 'running')", [source.id])
      return rows.length === 0 ? true : undefined
    }, 30_000)
    await e2e.query("UPDATE schedules SET next_due_at = date_trunc('second', now()) - interval '1 second' WHERE id = $1", [schedule.id])
    await eventually("the second backup.missed", async () => (hooksAt(hookPath).length >= 2 ? true : undefined))
    await sleep(1_500)
    const dues = hooksAt(hookPath).map((h) => bodyOf(h).data["dueAt"])
    expect(dues).toHaveLength(2)
    expect(new Set(dues).size).toBe(2)
  }, 60_000)

  it("a schedule with --verify-every finds a flipped byte without anyone asking, marks it corrupt and notifies", async () => {
    const { tenantId, hookPath } = await tenantWithWebhook("snapshot.corrupt")
    const source = await keySource(tenantId)
    const intact = await backup(source.id)
    const damaged = await backup(source.id)
    const artifact = path.join(worker.storage, "tenants", tenantId, "sources", source.id, "snapshots", damaged.snapshotId, "backup.tar.zst.enc")
    const bytes = fs.readFileSync(artifact)
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01
    fs.writeFileSync(artifact, bytes)

    const schedule = await e2e.json<{ id: string; verifyEvery: string }>([
      "schedule", "create", "--source-id", source.id, "--cron", "0 3 * * *", "--verify-every", "7d"
    ])
    expect(schedule.verifyEvery).toBe("7d")

    const [hook] = await eventually("the snapshot.corrupt delivery", async () => (hooksAt(hookPath).length > 0 ? hooksAt(hookPath) : undefined), 60_000)
    expect(bodyOf(hook!)).toMatchObject({
      type: "snapshot.corrupt",
      tenantId,
      data: { sourceId: source.id, snapshotId: damaged.snapshotId, error: expect.stringMatching(/sha-?256|size/i) }
    })
    const listed = await eventually("both snapshots verified", async () => {
      const page = await e2e.json<{ snapshots: Array<{ id: string; status: string; verifiedAt: string | null }> }>(
        ["snapshot", "list", "--source-id", source.id])
      return page.snapshots.every((s) => s.verifiedAt !== null) ? page.snapshots : undefined
    }, 60_000)
    expect(Object.fromEntries(listed.map((s) => [s.id, s.status]))).toEqual({ [intact.snapshotId]: "available", [damaged.snapshotId]: "corrupt" })

    // one verification per snapshot, one at a time, each by the schedule; none again within 7d
    await sleep(1_000)
    const verifies = await e2e.query<{ snapshot_id: string; created_at: Date; finished_at: Date }>(
      "SELECT snapshot_id, created_at, finished_at FROM jobs WHERE source_id = $1 AND type = 'verify' ORDER BY created_at", [source.id])
    expect(verifies.map((v) => v.snapshot_id)).toEqual([intact.snapshotId, damaged.snapshotId])
    expect(verifies[1]!.created_at.getTime()).toBeGreaterThanOrEqual(verifies[0]!.finished_at.getTime())
    const audited = await e2e.query<{ details: { scheduleId: string } }>(
      "SELECT details FROM audit_log WHERE action = 'snapshot.verify' AND tenant_id = $1", [tenantId])
    expect(audited.map((a) => a.details.scheduleId)).toEqual([schedule.id, schedule.id])
    expect(hooksAt(hookPath)).toHaveLength(1)

    const table = await e2e.xvault(["snapshot", "list", "--source-id", source.id])
    expect(table.stdout).toMatch(/^ID\s+CREATED\s+SIZE\s+FILES\s+WORKER\s+STATUS\s+VERIFIED\s+TAGS$/m)
    expect(table.stdout).toMatch(new RegExp(`^${damaged.snapshotId}\\s.*\\scorrupt\\s+\\d{4}-\\d\\d-\\d\\dT`, "m"))
    const shown = await e2e.json<{ lastVerifiedAt: string | null }>(["source", "show", source.id])
    expect(shown.lastVerifiedAt).toBe(listed.map((s) => s.verifiedAt!).sort().at(-1))
    expect((await e2e.xvault(["source", "show", source.id])).stdout).toContain(`  verified  ${shown.lastVerifiedAt}`)
  }, 120_000)
})
