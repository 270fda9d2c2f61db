import { describe, expect, it } from "@effect/vitest"
import { applyResticPolicy } from "../../../src/shared/retention/Apply.js"

// Buckets follow the wall clock of the schedule's zone. Europe/Berlin: 2024-03-31 02:00 CET
// springs to 03:00 CEST (01:00Z); 2024-10-27 03:00 CEST falls back to 02:00 CET (01:00Z).
// Each list ends with an old anchor snapshot, so the oldest-snapshot rule does not blur the result.
const ANCHOR = "2024-01-01T12:00:00Z"
const at = (...times: ReadonlyArray<string>) => [...times, ANCHOR].map((time) => ({ id: time, time: new Date(time), tags: [] }))
const removedIds = (times: ReadonlyArray<string>, policy: Parameters<typeof applyResticPolicy>[1], timeZone: string) =>
  applyResticPolicy(at(...times), policy, timeZone).remove.map((r) => r.id)

const everyHourAt30 = (fromIso: string, count: number) =>
  Array.from({ length: count }, (_, i) => new Date(Date.parse(fromIso) + (count - 1 - i) * 3_600_000).toISOString())

describe("hourly buckets on DST days", () => {
  it("the 23 hours of the spring-forward day are 23 buckets", () => {
    // 00:30 CET ... 01:30 CET, 03:30 CEST ... 23:30 CEST: every snapshot is its own hour
    const day = everyHourAt30("2024-03-30T23:30:00Z", 23)
    expect(removedIds(day, { keepHourly: -1 }, "Europe/Berlin")).toEqual([])
    // 23 hourly slots are used up by exactly this day
    expect(removedIds(day, { keepHourly: 23 }, "Europe/Berlin")).toEqual([ANCHOR])
  })

  it("the 25 hours of the fall-back day are 24 buckets: both 02:30s share one", () => {
    const day = everyHourAt30("2024-10-26T22:30:00Z", 25)
    // the older 02:30 (CEST, 00:30Z) gives way to the newer one (CET, 01:30Z)
    expect(removedIds(day, { keepHourly: -1 }, "Europe/Berlin")).toEqual(["2024-10-27T00:30:00.000Z"])
    expect(removedIds(day, { keepHourly: -1 }, "UTC")).toEqual([])
  })
})

describe("daily buckets around local midnight", () => {
  it("follow the local date on the spring-forward day", () => {
    const times = [
      "2024-03-31T22:30:00Z", // Apr 1 00:30 CEST
      "2024-03-31T21:30:00Z", // Mar 31 23:30 CEST
      "2024-03-30T23:30:00Z", // Mar 31 00:30 CET
      "2024-03-30T22:30:00Z" // Mar 30 23:30 CET
    ]
    expect(removedIds(times, { keepDaily: -1 }, "Europe/Berlin")).toEqual(["2024-03-30T23:30:00Z"])
    expect(removedIds(times, { keepDaily: -1 }, "UTC")).toEqual(["2024-03-31T21:30:00Z", "2024-03-30T22:30:00Z"])
  })

  it("put the whole 25-hour fall-back day in one bucket", () => {
    const times = [
      "2024-10-27T23:30:00Z", // Oct 28 00:30 CET
      "2024-10-27T22:30:00Z", // Oct 27 23:30 CET
      "2024-10-26T22:30:00Z" // Oct 27 00:30 CEST, 25 hours earlier
    ]
    expect(removedIds(times, { keepDaily: -1 }, "Europe/Berlin")).toEqual(["2024-10-26T22:30:00Z"])
    expect(removedIds(times, { keepDaily: -1 }, "UTC")).toEqual(["2024-10-27T22:30:00Z"])
  })

  it("put a snapshot of Sunday 23:30 UTC in Monday's ISO week in Berlin (2024-12-30 is 2025-W01)", () => {
    const times = ["2025-01-06T12:00:00Z", "2025-01-05T12:00:00Z", "2024-12-29T23:30:00Z", "2024-12-29T12:00:00Z"]
    expect(removedIds(times, { keepWeekly: -1 }, "Europe/Berlin")).toEqual(["2024-12-29T23:30:00Z"])
    expect(removedIds(times, { keepWeekly: -1 }, "UTC")).toEqual(["2024-12-29T12:00:00Z"])
  })
})
