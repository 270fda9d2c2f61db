import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { hasPolicyFlags, policyFromFlags } from "../../../src/cli/RetentionFlags.js"
import { parseRfc3339 } from "../../../src/shared/retention/SnapshotsJson.js"

describe("policy flags", () => {
  it("become the API's policy: counts as numbers, 'unlimited' as -1, each --keep-tag one list", () => {
    expect(policyFromFlags({
      "keep-last": "unlimited",
      "keep-daily": "7",
      "keep-weekly": "-1",
      "keep-within": "1y6m",
      "keep-within-hourly": "2d",
      "keep-tag": ["monthly,verified", ""]
    })).toEqual(Either.right({
      keepLast: -1,
      keepDaily: 7,
      keepWeekly: -1,
      keepWithin: "1y6m",
      keepWithinHourly: "2d",
      keepTags: [["monthly", "verified"], [""]]
    }))
    expect(policyFromFlags({})).toEqual(Either.right({}))
  })

  it("name the flag that is wrong", () => {
    const message = (flags: Parameters<typeof policyFromFlags>[0]) =>
      Either.match(policyFromFlags(flags), { onLeft: (e) => e.message, onRight: () => "accepted" })
    expect(message({ "keep-hourly": "1.5" })).toBe("--keep-hourly: must be an integer of -1 (unlimited) or more")
    expect(message({ "keep-within-yearly": "10Y" })).toMatch(/^--keep-within-yearly: '10Y' is not a duration: unknown unit 'Y'/)
    expect(message({ "keep-tag": ["a", "b,"] })).toBe("--keep-tag 'b,': '' (untagged) must be alone in its list")
  })

  it("tell whether any policy flag was given", () => {
    expect(hasPolicyFlags({})).toBe(false)
    expect(hasPolicyFlags({ "keep-last": undefined })).toBe(false)
    expect(hasPolicyFlags({ "keep-tag": ["a"] })).toBe(true)
  })
})

describe("snapshot times in a preview file", () => {
  it("are RFC 3339 with any offset, kept to the millisecond", () => {
    expect(parseRfc3339("2024-05-01T10:20:30Z")?.toISOString()).toBe("2024-05-01T10:20:30.000Z")
    expect(parseRfc3339("2024-05-01T10:20:30.123456789+02:00")?.toISOString()).toBe("2024-05-01T08:20:30.123Z")
    expect(parseRfc3339("2024-05-01 10:20:30.5-04:30")?.toISOString()).toBe("2024-05-01T14:50:30.500Z")
    expect(parseRfc3339("2024-02-29T00:00:00z")?.toISOString()).toBe("2024-02-29T00:00:00.000Z")
  })

  it("refuse dates that do not exist and times without a zone", () => {
    for (const bad of ["2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T10:60:00Z",
      "2024-05-01T10:20:30", "2024-05-01", "yesterday", "2024-05-01T10:20:30+2:00"]) {
      expect(parseRfc3339(bad), bad).toBeUndefined()
    }
  })
})
