import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { Schema } from "effect"
import { applyResticPolicy, type RetentionSnapshot } from "../../../src/shared/retention/Apply.js"
import { planRetention } from "../../../src/shared/retention/Plan.js"
import { RetentionPolicy } from "../../../src/shared/retention/Policy.js"
import { instantOf, wallClockOf } from "../../../src/shared/schedule/WallClock.js"

// restic's own golden data (test/fixtures/retention/NOTICE.md): 103 snapshots, 40 policies.
interface GoldenCase {
  readonly index: number
  readonly restic_policy: Record<string, unknown>
  readonly keep: ReadonlyArray<string>
  readonly reasons?: ReadonlyArray<{ readonly id: string; readonly matches: ReadonlyArray<string> }>
}
const golden = JSON.parse(readFileSync(new URL("../../fixtures/retention/restic-policy-cases.json", import.meta.url), "utf8")) as {
  readonly snapshots: ReadonlyArray<{ readonly id: string; readonly time: string; readonly tags: ReadonlyArray<string> }>
  readonly cases: ReadonlyArray<GoldenCase>
}

const snapshots: ReadonlyArray<RetentionSnapshot> = golden.snapshots.map((s) => ({ ...s, time: new Date(s.time) }))

/** restic's option names (`Last`, `WithinDaily`, `Tags`) as our policy fields, decoded like API input. */
const policyOf = (resticPolicy: Record<string, unknown>) =>
  Schema.decodeUnknownSync(RetentionPolicy)(
    Object.fromEntries(Object.entries(resticPolicy).map(([name, value]) => [name === "Tags" ? "keepTags" : `keep${name}`, value]))
  )

const nonEmptyCases = golden.cases.filter((c) => c.index !== 0)

describe("restic's golden policy cases", () => {
  it("holds all 40 cases over 103 snapshots", () => {
    expect(golden.cases).toHaveLength(40)
    expect(snapshots).toHaveLength(103)
  })

  it.each(nonEmptyCases.map((c) => [c.index, c] as const))("case %i keeps what restic keeps, for restic's reasons", (_, c) => {
    const plan = applyResticPolicy(snapshots, policyOf(c.restic_policy), "UTC")
    expect(plan.keep.map((k) => k.id)).toEqual(c.keep)
    expect(plan.remove.map((r) => r.id).sort()).toEqual(snapshots.map((s) => s.id).filter((id) => !c.keep.includes(id)).sort())
    expect(plan.keep.map((k) => ({ id: k.id, matches: k.reasons }))).toEqual(c.reasons?.map(({ id, matches }) => ({ id, matches })))
  })

  it("restic's empty policy (case 0) keeps nothing, but xVault's keeps every snapshot", () => {
    const empty = golden.cases.find((c) => c.index === 0)!
    expect(empty.keep).toEqual([])
    expect(applyResticPolicy(snapshots, policyOf(empty.restic_policy)).keep).toEqual([])
    const plan = planRetention(snapshots, policyOf(empty.restic_policy))
    expect(plan.keep).toHaveLength(103)
    expect(plan.remove).toEqual([])
  })

  it("gives the same answers in Asia/Tokyo for snapshots at the same Tokyo wall-clock times", () => {
    // restic buckets by each snapshot's own wall clock; UTC+9 is a zone where UTC buckets would break 4 cases
    const inTokyo = snapshots.map((s) => ({ ...s, time: new Date(instantOf(wallClockOf(s.time.getTime(), "UTC"), "Asia/Tokyo")) }))
    for (const c of nonEmptyCases) {
      expect(applyResticPolicy(inTokyo, policyOf(c.restic_policy), "Asia/Tokyo").keep.map((k) => k.id), `case ${c.index}`).toEqual(c.keep)
    }
  })

  it("the Tokyo check would catch bucketing in the wrong zone", () => {
    const inTokyo = snapshots.map((s) => ({ ...s, time: new Date(instantOf(wallClockOf(s.time.getTime(), "UTC"), "Asia/Tokyo")) }))
    const broken = nonEmptyCases.filter((c) =>
      JSON.stringify(applyResticPolicy(inTokyo, policyOf(c.restic_policy), "UTC").keep.map((k) => k.id)) !== JSON.stringify(c.keep))
    expect(broken.length).toBeGreaterThan(0)
  })
})
