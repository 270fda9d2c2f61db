import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness, eventually, sleep } from "../support/E2e.js"
import { type HubProcess, startHub } from "../support/HubProcess.js"

const e2e = e2eHarness()
const fast = { HUB_SCHEDULER_INTERVAL_SECONDS: "0.1", HUB_SWEEP_INTERVAL_SECONDS: "0.5" }
let hubs: ReadonlyArray<HubProcess>
let tenant: { id: string }

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

const scheduledSource = async (cron: string) => {
  const source = await e2e.json<{ id: string }>([
    "source", "create", "--tenant-id", tenant.id, "--name", unique("src"), "--host", "127.0.0.1", "--port", "22",
    "--username", "backup", "--password-stdin", "--path", "/srv"
  ], { stdin: "pw" })
  const schedule = await e2e.api<{ id: string; nextDueAt: string }>("POST", "/v1/schedules", { sourceId: source.id, cron })
  return { sourceId: source.id, scheduleId: schedule.id, firstDue: schedule.nextDueAt }
}

const backupJobs = (sourceId: string) =>
  e2e.query<{ id: string; status: string }>("SELECT id, status FROM jobs WHERE source_id = $1 AND type = 'backup' ORDER BY created_at", [sourceId])

/** The clock, driven: the schedule's due time is made to have just passed. */
const makeDue = (scheduleId: string, ago = "1 second") =>
  e2e.query("UPDATE schedules SET next_due_at = now() - $2::interval WHERE id = $1 RETURNING next_due_at", [scheduleId, ago])

const advancedPastNow = (scheduleId: string) =>
  eventually("the schedule to move to its next due time", async () => {
    const [row] = await e2e.query<{ next_due_at: Date; now: Date }>("SELECT next_due_at, now() AS now FROM schedules WHERE id = $1", [scheduleId])
    return row!.next_due_at > row!.now ? row!.next_due_at : undefined
  })

/** The backup finished (no worker runs in this file): the next due time may enqueue again. */
const finish = (jobId: string) => e2e.query("UPDATE jobs SET status = 'succeeded', finished_at = now() WHERE id = $1", [jobId])

beforeAll(async () => {
  const first = await e2e.inScope(startHub({ env: fast }))
  const second = await e2e.inScope(startHub({ env: fast, alongside: first }))
  hubs = [first, second]
  e2e.setHub(first)
  tenant = await e2e.json(["tenant", "create", "--name", unique("acme")])
})

afterAll(() => e2e.close())

describe("the scheduler, with two Hub processes on one database", () => {
  it("enqueues exactly one backup per due time, whichever Hub sees it first", async () => {
    const { sourceId, scheduleId, firstDue } = await scheduledSource("*/5 * * * *")
    expect(new Date(firstDue).getUTCMinutes() % 5).toBe(0)
    for (let round = 1; round <= 8; round++) {
      await makeDue(scheduleId)
      const next = await advancedPastNow(scheduleId)
      expect(next.getUTCMinutes() % 5).toBe(0)
      // both Hubs keep polling; give the slower one every chance to fire a duplicate
      await sleep(300)
      const jobs = await backupJobs(sourceId)
      expect(jobs).toHaveLength(round)
      await finish(jobs[round - 1]!.id)
    }
    const enqueued = await e2e.query<{ details: { scheduleId: string } }>(
      "SELECT details FROM audit_log WHERE action = 'backup.enqueue' AND details->>'sourceId' = $1", [sourceId])
    expect(enqueued).toHaveLength(8)
    expect(enqueued.every((e) => e.details.scheduleId === scheduleId)).toBe(true)
    expect(hubs.every((hub) => hub.exited() === false)).toBe(true)
  })

  it("a Hub that was down across many due times runs one catch-up backup, not one per missed time", async () => {
    const { sourceId, scheduleId } = await scheduledSource("0 * * * *")
    // three days of hourly due times went by
    await makeDue(scheduleId, "3 days")
    const next = await advancedPastNow(scheduleId)
    await sleep(500)
    expect(await backupJobs(sourceId)).toHaveLength(1)
    expect(next.getUTCMinutes()).toBe(0)
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(3600_000)
  })

  it("no second backup while one is still queued: the due time passes without one", async () => {
    const { sourceId, scheduleId } = await scheduledSource("*/5 * * * *")
    await makeDue(scheduleId)
    await advancedPastNow(scheduleId)
    const [queued] = await backupJobs(sourceId)
    expect(queued!.status).toBe("queued")
    await makeDue(scheduleId)
    await advancedPastNow(scheduleId)
    await sleep(300)
    expect(await backupJobs(sourceId)).toEqual([queued])
  })

  it("a disabled schedule never fires; a bad cron or time zone is a 400 naming the field", async () => {
    const { sourceId, scheduleId } = await scheduledSource("*/5 * * * *")
    const disabled = await e2e.api<{ enabled: boolean; nextDueAt: string | null }>("PATCH", `/v1/schedules/${scheduleId}`, { enabled: false })
    expect(disabled).toMatchObject({ enabled: false, nextDueAt: null })
    await e2e.query("UPDATE schedules SET next_due_at = now() - interval '1 minute' WHERE id = $1", [scheduleId])
    await sleep(500)
    expect(await backupJobs(sourceId)).toEqual([])

    const post = (body: unknown) =>
      fetch(`${e2e.hub().baseUrl}/v1/schedules`, {
        method: "POST",
        headers: { authorization: `Bearer ${e2e.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify(body)
      }).then(async (r) => ({ status: r.status, body: await r.json() as { error: { message: string } } }))
    const other = await scheduledSource("0 3 * * *")
    await e2e.api("DELETE", `/v1/schedules/${other.scheduleId}`).catch(() => undefined)
    const badCron = await post({ sourceId: other.sourceId, cron: "61 * * * *" })
    expect(badCron.status).toBe(400)
    expect(badCron.body.error.message).toMatch(/cron.*minute/s)
    const badZone = await post({ sourceId: other.sourceId, cron: "0 3 * * *", timezone: "Mars/Olympus" })
    expect(badZone.status).toBe(400)
    expect(badZone.body.error.message).toMatch(/timezone.*Mars\/Olympus/s)
  })
})
