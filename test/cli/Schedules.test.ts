import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { TenantId } from "../../src/shared/contract/Ids.js"
import { tokenFor } from "../support/HubTest.js"
import { lines, missingId, playedWorkerHarness } from "../support/PlayedWorker.js"

// `xvault schedule …` as an operator runs it: the real executable against a real Hub process.

const h = playedWorkerHarness("schedules")

beforeAll(() => h.start())
afterAll(() => h.stop())

/** What a clock on the wall of `zone` shows at `iso`: "Tue 03:00". */
const wallClock = (iso: string, zone: string) =>
  new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date(iso))
    .replace(",", "")

const HOUR = 3_600_000

describe("xvault schedule create, show and list", () => {
  it("creates a schedule whose next due time is 03:00 in its time zone, with the policy the flags give", async () => {
    const f = await h.tenantWithSource()
    const before = Date.now()
    const created = await h.json([
      "schedule", "create", "--source-id", f.sourceId, "--cron", "0 3 * * *", "--timezone", "Europe/Berlin",
      "--keep-daily", "7", "--keep-within", "1y6m", "--keep-tag", "release"
    ])
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenantId: f.tenantId,
      sourceId: f.sourceId,
      cron: "0 3 * * *",
      timezone: "Europe/Berlin",
      enabled: true,
      retention: { keepDaily: 7, keepWithin: "1y6m", keepTags: [["release"]] },
      nextDueAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/),
      verifyEvery: null,
      lastEnqueuedAt: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
    })
    expect(wallClock(created.nextDueAt, "Europe/Berlin")).toMatch(/ 03:00$/)
    const due = Date.parse(created.nextDueAt)
    expect(due).toBeGreaterThan(before)
    expect(due - before).toBeLessThanOrEqual(25 * HOUR)

    const [shown, human, listed, table] = await Promise.all([
      h.json(["schedule", "show", created.id]),
      h.xvault(["schedule", "show", created.id]),
      h.json(["schedule", "list", "--source-id", f.sourceId]),
      h.xvault(["schedule", "list", "--source-id", f.sourceId])
    ])
    expect(shown).toEqual(created)
    expect(listed).toEqual({ schedules: [created] })
    expect(human.code, human.stderr).toBe(0)
    expect(lines(human.stdout)).toEqual([
      `schedule ${created.id}`,
      `  source      ${f.sourceId}`,
      `  tenant      ${f.tenantId}`,
      "  cron        0 3 * * * (Europe/Berlin)",
      "  enabled     yes",
      expect.stringMatching(/^ {2}next due {4}\d{4}-\d\d-\d\dT03:00:00\+0[12]:00$/),
      "  last queued -",
      "  retention   keep-daily 7, keep-within 1y6m, keep-tag release",
      "  verify      - (only when asked)",
      `  created     ${created.createdAt}`,
      `  updated     ${created.updatedAt}`
    ])
    expect(lines(table.stdout)[0]).toMatch(/^ID\s+SOURCE\s+CRON\s+TIMEZONE\s+ENABLED\s+NEXT DUE\s+RETENTION$/)
    expect(lines(table.stdout)[1]).toMatch(
      new RegExp(`^${created.id}\\s+${f.sourceId}\\s+0 3 \\* \\* \\*\\s+Europe/Berlin\\s+yes\\s+\\S+T03:00:00\\+0[12]:00\\s+keep-daily 7`)
    )
  })

  it("defaults to UTC and keeping everything; --disabled has no next due time", async () => {
    const f = await h.tenantWithSource()
    const created = await h.json(["schedule", "create", "--source-id", f.sourceId, "--cron", "*/15 * * * *", "--disabled"])
    expect(created).toMatchObject({ timezone: "UTC", enabled: false, retention: {}, nextDueAt: null })
    const human = await h.xvault(["schedule", "show", created.id])
    expect(human.stdout).toContain("  next due    - (disabled)\n")
    expect(human.stdout).toContain("  retention   none (keeps every snapshot)\n")
  })
})

describe("xvault schedule --verify-every", () => {
  it("sets, shows, changes and stops scheduled verification; a bad interval is exit 2 naming the flag", async () => {
    const f = await h.tenantWithSource()
    const created = await h.json(["schedule", "create", "--source-id", f.sourceId, "--cron", "0 3 * * *", "--verify-every", "1w"])
    expect(created.verifyEvery).toBe("7d")
    const human = await h.xvault(["schedule", "show", created.id])
    expect(human.stdout).toContain("  verify      every 7d\n")
    const changed = await h.json(["schedule", "update", created.id, "--verify-every", "1d12h"])
    expect(changed).toMatchObject({ verifyEvery: "1d12h", cron: "0 3 * * *", nextDueAt: created.nextDueAt })
    const stopped = await h.json(["schedule", "update", created.id, "--verify-every", "off"])
    expect(stopped.verifyEvery).toBeNull()
    for (const bad of ["30s", "weekly", "7"]) {
      const refused = await h.xvault(["schedule", "update", created.id, "--verify-every", bad])
      expect(refused.code, bad).toBe(2)
      expect(refused.stderr, bad).toContain("xvault: --verify-every: must be a duration from 1m to 10 years")
    }
    expect((await h.json(["schedule", "show", created.id])).verifyEvery).toBeNull()
  })
})

describe("xvault schedule update and delete", () => {
  it("changes only what the flags name, replaces or clears the policy, and deletes", async () => {
    const f = await h.tenantWithSource()
    const created = await h.json([
      "schedule", "create", "--source-id", f.sourceId, "--cron", "0 3 * * *", "--keep-daily", "7", "--keep-weekly", "4"
    ])
    const moved = await h.json(["schedule", "update", created.id, "--cron", "30 2 * * MON-FRI", "--timezone", "America/New_York"])
    expect(moved).toMatchObject({ id: created.id, cron: "30 2 * * MON-FRI", timezone: "America/New_York", enabled: true })
    expect(moved.retention).toEqual({ keepDaily: 7, keepWeekly: 4 })
    expect(wallClock(moved.nextDueAt, "America/New_York")).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 02:30$/)

    const disabled = await h.json(["schedule", "update", created.id, "--disable"])
    expect(disabled).toMatchObject({ enabled: false, nextDueAt: null, cron: "30 2 * * MON-FRI" })
    const replaced = await h.json(["schedule", "update", created.id, "--keep-last", "3"])
    expect(replaced.retention).toEqual({ keepLast: 3 })
    expect(replaced.enabled).toBe(false)
    const cleared = await h.json(["schedule", "update", created.id, "--clear-retention"])
    expect(cleared.retention).toEqual({})
    const enabled = await h.json(["schedule", "update", created.id, "--enable"])
    expect(enabled.enabled).toBe(true)
    expect(wallClock(enabled.nextDueAt, "America/New_York")).toMatch(/ 02:30$/)

    const deleted = await h.xvault(["schedule", "delete", created.id])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(deleted.stdout).toBe(`deleted schedule ${created.id}\n`)
    const [gone, again, listed] = await Promise.all([
      h.xvault(["schedule", "show", created.id]),
      h.xvault(["schedule", "delete", created.id, "--json"]),
      h.json(["schedule", "list", "--source-id", f.sourceId])
    ])
    expect(gone.code).toBe(3)
    expect(gone.stderr).toBe(`xvault: schedule ${created.id} not found\n`)
    expect(again.code).toBe(3)
    expect(JSON.parse(again.stderr)).toEqual({
      error: { code: "not_found", message: `schedule ${created.id} not found`, exitCode: 3 }
    })
    expect(listed).toEqual({ schedules: [] })
  })
})

describe("refusals", () => {
  const expectRefused = async (cases: ReadonlyArray<readonly [ReadonlyArray<string>, number, string]>) => {
    // one at a time: a dozen node processes at once can starve a small CI machine
    for (const [args, code, expected] of cases) {
      const result = await h.xvault(args)
      expect(result.code, args.join(" ")).toBe(code)
      expect(result.stderr.replace(/\s*›\s*/g, " "), args.join(" ")).toContain(expected)
      expect(result.stdout, args.join(" ")).toBe("")
    }
  }

  it("bad flags are exit 2 naming the flag and what is wrong, before anything is sent", async () => {
    const f = await h.tenantWithSource()
    const create = ["schedule", "create", "--source-id", f.sourceId]
    await expectRefused([
      [[...create, "--cron", "61 3 * * *"], 2, "xvault: --cron: cron minute field '61': 61 is out of range 0-59\n"],
      [[...create, "--cron", "0 3 * *"], 2, "xvault: --cron: cron expression '0 3 * *' must have 5 fields"],
      [[...create, "--cron", "0 0 31 2 *"], 2, "xvault: --cron: cron day-of-month field '31' never falls in month field '2'"],
      [[...create, "--cron", "0 3 * * *", "--timezone", "Mars/Olympus"], 2, "xvault: --timezone: 'Mars/Olympus' is not an IANA time zone"],
      [[...create, "--cron", "0 3 * * *", "--keep-daily", "seven"], 2, "xvault: --keep-daily: must be an integer of -1 (unlimited) or more"],
      [["schedule", "create", "--source-id", "web", "--cron", "0 3 * * *"], 2, "xvault: --source-id 'web' is not a source id\n"],
      [["schedule", "show", "42"], 2, "xvault: '42' is not a schedule id\n"],
      [["schedule", "update", missingId], 2, "xvault: nothing to change"],
      [["schedule", "update", missingId, "--cron", "0 25 * * *"], 2, "xvault: --cron: cron hour field '25'"],
      [["schedule", "update", missingId, "--enable", "--disable"], 2, "--disable=true cannot also be provided when using --enable"],
      [["schedule", "update", missingId, "--clear-retention", "--keep-last", "1"], 2, "cannot also be provided when using"]
    ])
    // nothing was created by any of them
    expect(await h.json(["schedule", "list", "--source-id", f.sourceId])).toEqual({ schedules: [] })
  }, 120_000)

  it("a second schedule for a source is a conflict (4) naming the first; unknown ids are not found (3)", async () => {
    const f = await h.tenantWithSource()
    const first = await h.json(["schedule", "create", "--source-id", f.sourceId, "--cron", "0 3 * * *"])
    await expectRefused([
      [["schedule", "create", "--source-id", f.sourceId, "--cron", "0 4 * * *"], 4,
        `xvault: source ${f.sourceId} already has a schedule (${first.id}); update it instead\n`],
      [["schedule", "create", "--source-id", missingId, "--cron", "0 4 * * *"], 3, `xvault: source ${missingId} not found\n`],
      [["schedule", "update", missingId, "--disable"], 3, `xvault: schedule ${missingId} not found\n`]
    ])
  })

  it("another tenant's token sees no schedule of this tenant (3), and lists only its own", async () => {
    const a = await h.tenantWithSource()
    const b = await h.tenantWithSource()
    const schedule = await h.json(["schedule", "create", "--source-id", a.sourceId, "--cron", "0 3 * * *"])
    const asA = tokenFor({ role: "tenant", tenantId: a.tenantId as TenantId })
    const asB = tokenFor({ role: "tenant", tenantId: b.tenantId as TenantId })
    const [show, update, remove, create, listB, listA] = await Promise.all([
      h.xvault(["schedule", "show", schedule.id], asB),
      h.xvault(["schedule", "update", schedule.id, "--disable"], asB),
      h.xvault(["schedule", "delete", schedule.id], asB),
      h.xvault(["schedule", "create", "--source-id", a.sourceId, "--cron", "0 5 * * *"], asB),
      h.json(["schedule", "list"], asB),
      h.json(["schedule", "list"], asA)
    ])
    for (const r of [show, update, remove]) {
      expect(r.code).toBe(3)
      expect(r.stderr).toBe(`xvault: schedule ${schedule.id} not found\n`)
    }
    expect(create.code).toBe(3)
    expect(create.stderr).toBe(`xvault: source ${a.sourceId} not found\n`)
    expect(listB).toEqual({ schedules: [] })
    expect(listA).toEqual({ schedules: [schedule] })
    // B's refused update changed nothing
    expect(await h.json(["schedule", "show", schedule.id], asA)).toEqual(schedule)
  })
})
