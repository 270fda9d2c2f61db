import type { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness, eventually, sleep } from "../support/E2e.js"
import { type HubProcess, startHub } from "../support/HubProcess.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { signatureChecksOut, startWebhookReceiver } from "../support/WebhookReceiver.js"
import { startWorker } from "../support/WorkerProcess.js"

// The outbox is durable: an event committed by a Hub that is then killed (SIGKILL, before it
// ever tried to deliver) is delivered by the next Hub that starts on the same database.

const e2e = e2eHarness()
let first: HubProcess
let sshd: SshdServer
let receiver: Effect.Effect.Success<typeof startWebhookReceiver>

const common = {
  HUB_WEBHOOK_ALLOW_PRIVATE: "true",
  HUB_WEBHOOK_RETRY_BASE_SECONDS: "0.2",
  HUB_JOB_LEASE_SECONDS: "10",
  HUB_RETRY_BASE_SECONDS: "0.2",
  HUB_SWEEP_INTERVAL_SECONDS: "0.5"
}

beforeAll(async () => {
  receiver = await e2e.inScope(startWebhookReceiver)
  // this Hub looks for deliveries once at start-up and then only every five minutes
  const [hub, server] = await Promise.all([
    e2e.inScope(startHub({ env: { ...common, HUB_WEBHOOK_INTERVAL_SECONDS: "300" } })),
    e2e.inScope(startSshd({ password: true }))
  ])
  first = hub
  sshd = server
  e2e.setHub(first)
  await e2e.inScope(startWorker(first))
}, 60_000)

afterAll(() => e2e.close())

describe("a Hub killed between the event and its delivery", () => {
  it("delivers the committed backup.failed after a restart, exactly once", async () => {
    const tenant = await e2e.json<{ id: string }>(["tenant", "create", "--name", `t-${Math.random().toString(36).slice(2, 8)}`])
    const webhook = await e2e.json<{ id: string; secret: string }>([
      "webhook", "create", "--tenant-id", tenant.id, "--url", receiver.url("/restart"), "--events", "backup.failed"
    ])
    const source = await e2e.json<{ id: string }>([
      "source", "create", "--tenant-id", tenant.id, "--name", "web", "--host", sshd.host, "--port", String(sshd.port),
      "--username", sshd.username, "--password-stdin", "--path", "/srv"
    ], { stdin: "not-the-password" })
    const run = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--wait"])
    expect(run.code).toBe(1)

    // committed with the job's failure, not yet sent
    const pending = await e2e.query<{ status: string; attempts: number; event_id: string }>(
      "SELECT status, attempts, event_id FROM webhook_deliveries WHERE webhook_id = $1", [webhook.id])
    expect(pending).toEqual([{ status: "pending", attempts: 0, event_id: expect.any(String) }])
    expect(receiver.received).toEqual([])

    process.kill(first.pid, "SIGKILL")
    await eventually("the Hub to die", async () => (first.exited() ? true : undefined))

    const second = await e2e.inScope(startHub({ alongside: first, env: { ...common, HUB_WEBHOOK_INTERVAL_SECONDS: "0.2" } }))
    e2e.setHub(second)
    const [hook] = await eventually("the delivery from the restarted Hub", async () => (receiver.received.length > 0 ? receiver.received : undefined))
    await sleep(1_500)
    expect(receiver.received).toHaveLength(1)
    expect(hook!.headers["x-xvault-event-id"]).toBe(pending[0]!.event_id)
    expect(signatureChecksOut(hook!, webhook.secret)).toBe(true)
    expect(JSON.parse(hook!.body)).toMatchObject({ type: "backup.failed", tenantId: tenant.id, data: { sourceId: source.id } })
    const log = await e2e.json<Array<{ attempt: number; statusCode: number }>>(["webhook", "deliveries", "--webhook-id", webhook.id])
    expect(log.map((a) => [a.attempt, a.statusCode])).toEqual([[1, 200]])
  }, 90_000)
})
