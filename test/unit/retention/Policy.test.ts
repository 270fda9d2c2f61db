import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { describeParseError } from "../../../src/shared/contract/describeIssues.js"
import { isEmptyPolicy, RetentionPolicy } from "../../../src/shared/retention/Policy.js"

const decode = Schema.decodeUnknownEither(RetentionPolicy)
const problem = (input: unknown) => Either.match(decode(input), { onLeft: describeParseError, onRight: () => "accepted" })

describe("retention policy schema", () => {
  it("takes every restic rule, -1 as unlimited and tag lists", () => {
    const policy = {
      keepLast: -1, keepHourly: 24, keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 0,
      keepWithin: "1y6m", keepWithinHourly: "2d", keepWithinDaily: "30d", keepWithinWeekly: "2m",
      keepWithinMonthly: "1y", keepWithinYearly: "10y", keepTags: [["monthly", "verified"], [""]]
    }
    expect(decode(policy)).toEqual(Either.right(policy))
    expect(decode({})).toEqual(Either.right({}))
  })

  it("names the field and the problem", () => {
    expect(problem({ keepLast: -2 })).toBe("keepLast: must be an integer of -1 (unlimited) or more")
    expect(problem({ keepDaily: 1.5 })).toBe("keepDaily: must be an integer of -1 (unlimited) or more")
    expect(problem({ keepWeekly: "4" })).toBe("keepWeekly: must be an integer of -1 (unlimited) or more")
    expect(problem({ keepWithin: "30" })).toMatch(/^keepWithin: '30' is not a duration: 30 has no unit/)
    expect(problem({ keepTags: [["a b"]] })).toBe("keepTags.0: 'a b' is not a tag (1-63 letters, digits, '.', '_', ':' or '-')")
    expect(problem({ keepTags: [[]] })).toBe("keepTags.0: must list 1-32 tags")
    expect(problem({ keepTags: [["", "a"]] })).toBe("keepTags.0: '' (untagged) must be alone in its list")
  })

  it("refuses a misspelt rule instead of ignoring it, also inside another payload", () => {
    expect(problem({ keepDialy: 7 })).toMatch(/^keepDialy: is unexpected/)
    const schedule = Schema.Struct({ cron: Schema.String, retention: RetentionPolicy })
    const nested = Schema.decodeUnknownEither(schedule)({ cron: "0 3 * * *", retention: { keepDialy: 7 } })
    expect(Either.match(nested, { onLeft: describeParseError, onRight: () => "accepted" })).toMatch(/^retention\.keepDialy: is unexpected/)
  })

  it("is empty when no rule can keep anything", () => {
    expect(isEmptyPolicy({})).toBe(true)
    expect(isEmptyPolicy({ keepLast: 0, keepDaily: 0, keepTags: [] })).toBe(true)
    expect(isEmptyPolicy({ keepLast: -1 })).toBe(false)
    expect(isEmptyPolicy({ keepWithin: "1d" })).toBe(false)
    expect(isEmptyPolicy({ keepTags: [["a"]] })).toBe(false)
  })
})
