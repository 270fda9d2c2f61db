import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { formatDuration, parseDuration, RetentionDuration } from "../../../src/shared/retention/Duration.js"

const problem = (text: string) => Either.getLeft(parseDuration(text)).pipe((o) => (o._tag === "Some" ? o.value : "accepted"))

describe("retention durations", () => {
  it("reads restic's units, m being months, weeks folded into days", () => {
    expect(parseDuration("1y6m")).toEqual(Either.right({ years: 1, months: 6, days: 0, hours: 0 }))
    expect(parseDuration("30d")).toEqual(Either.right({ years: 0, months: 0, days: 30, hours: 0 }))
    expect(parseDuration("2w")).toEqual(Either.right({ years: 0, months: 0, days: 14, hours: 0 }))
    expect(parseDuration("12h")).toEqual(Either.right({ years: 0, months: 0, days: 0, hours: 12 }))
    expect(parseDuration("1w3d")).toEqual(Either.right({ years: 0, months: 0, days: 10, hours: 0 }))
    expect(parseDuration("1y1d1m")).toEqual(Either.right({ years: 1, months: 1, days: 1, hours: 0 }))
  })

  it("refuses what it cannot read, saying why", () => {
    expect(problem("")).toBe("'' is not a duration: it is empty (units y, m (months), w, d, h; like 30d, 12h or 1y6m)")
    expect(problem("5")).toContain("'5' is not a duration: 5 has no unit")
    expect(problem("1x")).toContain("'1x' is not a duration: unknown unit 'x'")
    expect(problem("h")).toContain("'h' is not a duration: expected a number at 'h'")
    expect(problem("-1d")).toContain("'-1d' is not a duration: it cannot be negative")
    expect(problem("1d1d")).toContain("'1d1d' is not a duration: the unit 'd' appears twice")
    expect(problem("0d")).toContain("'0d' is not a duration: it must be longer than zero")
    expect(problem("1D")).toContain("unknown unit 'D'")
    expect(problem("1d ")).toContain("expected a number at ' '")
    expect(problem("100000y")).toContain("100000 is too large (at most 99999)")
  })

  it("prints restic's normalised y-m-d-h form", () => {
    expect(formatDuration({ years: 1, months: 1, days: 1, hours: 0 })).toBe("1y1m1d")
    expect(formatDuration({ years: 0, months: 2, days: 0, hours: 2 })).toBe("2m2h")
    expect(Either.map(parseDuration("2w"), formatDuration)).toEqual(Either.right("14d"))
  })

  it("is the RetentionDuration schema's check", () => {
    expect(Schema.decodeUnknownSync(RetentionDuration)("1y6m")).toBe("1y6m")
    expect(() => Schema.decodeUnknownSync(RetentionDuration)("6M")).toThrow("'6M' is not a duration: unknown unit 'M'")
  })
})
