import { describe, expect, it } from "@effect/vitest"
import { applyResticPolicy, type RetentionSnapshot } from "../../../src/shared/retention/Apply.js"
import { EMPTY_POLICY_REASON, NEWEST_REASON, planRetention } from "../../../src/shared/retention/Plan.js"
import type { RetentionPolicy } from "../../../src/shared/retention/Policy.js"

/** Snapshots named by their time, so a failure shows which times were kept. */
const at = (...times: ReadonlyArray<string>): Array<RetentionSnapshot> =>
  times.map((time) => ({ id: time, time: new Date(time), tags: [] }))

const keptIds = (snapshots: ReadonlyArray<RetentionSnapshot>, policy: RetentionPolicy, timeZone = "UTC", now?: Date) =>
  applyResticPolicy(snapshots, policy, timeZone, now).keep.map((k) => k.id)

describe("keep-within", () => {
  const snapshots = at("2024-05-10T12:00:00.000Z", "2024-05-09T12:00:00.001Z", "2024-05-09T12:00:00.000Z", "2024-05-01T00:00:00.000Z")

  it("keeps what is strictly after the cutoff, not what is exactly on it", () => {
    expect(keptIds(snapshots, { keepWithin: "1d" })).toEqual(["2024-05-10T12:00:00.000Z", "2024-05-09T12:00:00.001Z"])
    expect(keptIds(snapshots, { keepWithin: "24h" })).toEqual(["2024-05-10T12:00:00.000Z", "2024-05-09T12:00:00.001Z"])
  })

  it("counts from the newest snapshot that is not in the future, not from now", () => {
    const withFuture = at("2024-06-01T00:00:00Z", ...snapshots.map((s) => s.id))
    const now = new Date("2024-05-20T00:00:00Z")
    expect(keptIds(withFuture, { keepWithin: "1d" }, "UTC", now)).toEqual([
      "2024-06-01T00:00:00Z", "2024-05-10T12:00:00.000Z", "2024-05-09T12:00:00.001Z"
    ])
    // when every snapshot lies in the future there is no cutoff: all are kept
    expect(keptIds(withFuture, { keepWithin: "1d" }, "UTC", new Date("2024-01-01T00:00:00Z"))).toHaveLength(5)
  })

  it("subtracts months as calendar months: March 31 minus 1m is 'February 31', March 2 in 2024", () => {
    const march = at("2024-03-31T10:00:00Z", "2024-03-02T10:00:00.001Z", "2024-03-02T10:00:00Z", "2024-03-01T12:00:00Z")
    expect(keptIds(march, { keepWithin: "1m" })).toEqual(["2024-03-31T10:00:00Z", "2024-03-02T10:00:00.001Z"])
  })

  it("subtracts days in the zone's calendar, so a day across spring-forward is 23 hours", () => {
    // newest: 2024-03-31 14:00 CEST; one day earlier is 2024-03-30 14:00 CET = 13:00Z
    const dstDay = at("2024-03-31T12:00:00Z", "2024-03-30T13:30:00Z", "2024-03-30T12:30:00Z", "2024-03-29T00:00:00Z")
    expect(keptIds(dstDay, { keepWithin: "1d" }, "Europe/Berlin")).toEqual(["2024-03-31T12:00:00Z", "2024-03-30T13:30:00Z"])
    expect(keptIds(dstDay, { keepWithin: "1d" }, "UTC")).toEqual(["2024-03-31T12:00:00Z", "2024-03-30T13:30:00Z", "2024-03-30T12:30:00Z"])
    // hours are elapsed time in any zone
    expect(keptIds(dstDay, { keepWithin: "24h" }, "Europe/Berlin")).toEqual(keptIds(dstDay, { keepWithin: "24h" }, "UTC"))
  })
})

describe("count rules", () => {
  const everyDay = at(...Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2024, 0, 40 - i, 12)).toISOString()))

  it("-1 is unlimited", () => {
    expect(keptIds(everyDay, { keepLast: -1 })).toHaveLength(40)
    expect(keptIds(everyDay, { keepDaily: -1 })).toHaveLength(40)
    expect(keptIds(everyDay, { keepMonthly: -1 })).toEqual(["2024-02-09T12:00:00.000Z", "2024-01-31T12:00:00.000Z", "2024-01-01T12:00:00.000Z"])
  })

  it("keep the oldest snapshot while a rule has buckets left, to keep the longest history", () => {
    const plan = applyResticPolicy(everyDay, { keepMonthly: 5 })
    expect(plan.keep).toEqual([
      { id: "2024-02-09T12:00:00.000Z", reasons: ["monthly snapshot"] },
      { id: "2024-01-31T12:00:00.000Z", reasons: ["monthly snapshot"] },
      { id: "2024-01-01T12:00:00.000Z", reasons: ["oldest monthly snapshot"] }
    ])
    expect(plan.remove).toHaveLength(37)
  })

  it("keep the first of equal times in input order", () => {
    const tied = [
      { id: "b", time: new Date("2024-05-01T00:00:00Z"), tags: [] },
      { id: "a", time: new Date("2024-05-01T00:00:00Z"), tags: [] },
      { id: "older", time: new Date("2024-04-01T00:00:00Z"), tags: [] }
    ]
    expect(applyResticPolicy(tied, { keepLast: 1 })).toEqual({ keep: [{ id: "b", reasons: ["last snapshot"] }], remove: [{ id: "a" }, { id: "older" }] })
  })
})

describe("planRetention: what xVault removes", () => {
  const tagged = (id: string, time: string, tags: ReadonlyArray<string>) => ({ id, time: new Date(time), tags })
  const snapshots = [
    tagged("old-monthly", "2024-01-01T00:00:00Z", ["monthly"]),
    tagged("newest", "2024-03-01T00:00:00Z", []),
    tagged("middle", "2024-02-01T00:00:00Z", [])
  ]

  it("an empty policy keeps everything, newest first", () => {
    expect(planRetention(snapshots, {})).toEqual({
      keep: ["newest", "middle", "old-monthly"].map((id) => ({ id, reasons: [EMPTY_POLICY_REASON] })),
      remove: []
    })
    expect(planRetention(snapshots, { keepLast: 0 }).remove).toEqual([])
  })

  it("never removes the newest snapshot, even when no rule keeps it", () => {
    expect(applyResticPolicy(snapshots, { keepTags: [["monthly"]] }).remove).toContainEqual({ id: "newest" })
    expect(planRetention(snapshots, { keepTags: [["monthly"]] })).toEqual({
      keep: [{ id: "newest", reasons: [NEWEST_REASON] }, { id: "old-monthly", reasons: ["has tags [monthly]"] }],
      remove: [{ id: "middle" }]
    })
  })

  it("says so when the newest snapshot is also kept by a rule", () => {
    expect(planRetention(snapshots, { keepLast: 1 }).keep).toEqual([{ id: "newest", reasons: ["last snapshot", NEWEST_REASON] }])
  })

  it("matches '' to untagged snapshots only", () => {
    expect(planRetention(snapshots, { keepTags: [[""]] }).remove).toEqual([{ id: "old-monthly" }])
  })

  it("has nothing to do without snapshots", () => {
    expect(planRetention([], { keepLast: 3 })).toEqual({ keep: [], remove: [] })
  })
})
