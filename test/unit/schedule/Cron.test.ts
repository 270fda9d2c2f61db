import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { type Cron, CronExpression, parseCron, nextDueAfter } from "../../../src/shared/schedule/Cron.js"

const cron = (expression: string): Cron => Either.getOrThrow(parseCron(expression))

const refusal = (expression: string) => {
  const result = parseCron(expression)
  if (Either.isRight(result)) throw new Error(`'${expression}' was accepted`)
  return result.left
}

/** The next `count` due times after `from`, as ISO strings in UTC. */
const dueTimes = (expression: string, from: string, count: number, timeZone = "UTC") => {
  const parsed = cron(expression)
  const times: Array<string> = []
  let after = new Date(from)
  for (let i = 0; i < count; i++) {
    after = nextDueAfter(parsed, after, timeZone)
    times.push(after.toISOString())
  }
  return times
}

describe("parseCron", () => {
  it("expands lists, ranges, steps and names", () => {
    const c = cron("*/15 0-6/2 1,15,31 JAN-mar,dec mon-FRI")
    expect(c.minute.values).toEqual([0, 15, 30, 45])
    expect(c.hour.values).toEqual([0, 2, 4, 6])
    expect(c.dayOfMonth.values).toEqual([1, 15, 31])
    expect(c.month.values).toEqual([1, 2, 3, 12])
    expect(c.dayOfWeek.values).toEqual([1, 2, 3, 4, 5])
    expect(cron("5/20 * * * *").minute.values).toEqual([5, 25, 45])
    expect(cron("0 0 * * 5-7").dayOfWeek.values).toEqual([0, 5, 6])
    expect(cron("  0   3 * *   7 ").dayOfWeek.values).toEqual([0])
  })

  it("names the field and the problem of a bad expression", () => {
    expect(refusal("61 * * * *")).toMatchObject({ field: "minute", message: "cron minute field '61': 61 is out of range 0-59" })
    expect(refusal("0 24 * * *")).toMatchObject({ field: "hour", message: "cron hour field '24': 24 is out of range 0-23" })
    expect(refusal("0 0 0 * *")).toMatchObject({ field: "day-of-month" })
    expect(refusal("0 0 * 13 *")).toMatchObject({ field: "month" })
    expect(refusal("0 0 * * 8")).toMatchObject({ field: "day-of-week" })
    expect(refusal("0 0 * FOO *").message).toBe("cron month field 'FOO': 'FOO' is not a number or a name like JAN")
    expect(refusal("*/0 * * * *").message).toBe("cron minute field '*/0': step '0' must be a whole number of 1 or more")
    expect(refusal("5-1 * * * *").message).toBe("cron minute field '5-1': range 5-1 runs backwards")
    expect(refusal("1,,2 * * * *").message).toBe("cron minute field '1,,2': has an empty list element")
    expect(refusal("1/2/3 * * * *").field).toBe("minute")
    expect(refusal("MON * * * *").message).toBe("cron minute field 'MON': 'MON' is not a number")
    expect(refusal("0 0 * *").field).toBe("expression")
    expect(refusal("0 0 * * * *").message).toBe(
      "cron expression '0 0 * * * *' must have 5 fields: minute hour day-of-month month day-of-week"
    )
    expect(refusal("").field).toBe("expression")
  })

  it("refuses a day that never comes instead of searching forever", () => {
    expect(refusal("0 0 31 2 *")).toMatchObject({ field: "day-of-month", message: "cron day-of-month field '31' never falls in month field '2'" })
    expect(refusal("0 0 30,31 FEB *").field).toBe("day-of-month")
    expect(refusal("0 0 31 4,6,9,11 *").field).toBe("day-of-month")
    // with both day fields restricted either may match, so the Mondays of February still run
    expect(Either.isRight(parseCron("0 0 31 2 MON"))).toBe(true)
    expect(Either.isRight(parseCron("0 0 29 2 *"))).toBe(true)
  })

  it("is the CronExpression schema's check, so the API's 400 carries the same message", () => {
    expect(Schema.decodeUnknownSync(CronExpression)("0 3 * * *")).toBe("0 3 * * *")
    expect(() => Schema.decodeUnknownSync(CronExpression)("0 25 * * *")).toThrow("cron hour field '25': 25 is out of range 0-23")
  })
})

describe("nextDueAfter in UTC", () => {
  it("steps through */15 and is strictly after the given instant", () => {
    expect(dueTimes("*/15 * * * *", "2024-05-01T10:07:30Z", 3)).toEqual([
      "2024-05-01T10:15:00.000Z", "2024-05-01T10:30:00.000Z", "2024-05-01T10:45:00.000Z"
    ])
    expect(nextDueAfter(cron("*/15 * * * *"), new Date("2024-05-01T10:15:00Z"), "UTC").toISOString()).toBe("2024-05-01T10:30:00.000Z")
    expect(nextDueAfter(cron("*/15 * * * *"), new Date("2024-05-01T10:14:59.999Z"), "UTC").toISOString()).toBe("2024-05-01T10:15:00.000Z")
  })

  it("rolls over hours, days, months and years", () => {
    expect(dueTimes("30 23 31 * *", "2024-01-31T23:30:00Z", 3)).toEqual([
      "2024-03-31T23:30:00.000Z", "2024-05-31T23:30:00.000Z", "2024-07-31T23:30:00.000Z"
    ])
    expect(dueTimes("0 0 1 JAN *", "2024-06-01T00:00:00Z", 2)).toEqual(["2025-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"])
  })

  it("runs weekdays only with MON-FRI", () => {
    // 2024-05-03 is a Friday
    expect(dueTimes("0 9 * * MON-FRI", "2024-05-03T09:00:00Z", 2)).toEqual(["2024-05-06T09:00:00.000Z", "2024-05-07T09:00:00.000Z"])
  })

  it("ORs day-of-month and day-of-week when both are restricted, as Vixie cron does", () => {
    // the 13th, and every Friday: 2024-09-06 (Fri), 2024-09-13 (Fri and the 13th, once), 2024-09-20 (Fri)
    expect(dueTimes("0 0 13 * FRI", "2024-09-01T00:00:00Z", 3)).toEqual([
      "2024-09-06T00:00:00.000Z", "2024-09-13T00:00:00.000Z", "2024-09-20T00:00:00.000Z"
    ])
    // a day field starting with * makes it AND: odd days that are Fridays
    expect(dueTimes("0 0 */2 * FRI", "2024-09-01T00:00:00Z", 2)).toEqual(["2024-09-13T00:00:00.000Z", "2024-09-27T00:00:00.000Z"])
  })

  it("finds Feb 29 across the skipped leap year 2100, fast", () => {
    const started = performance.now()
    expect(dueTimes("0 0 29 2 *", "2096-03-01T00:00:00Z", 2)).toEqual(["2104-02-29T00:00:00.000Z", "2108-02-29T00:00:00.000Z"])
    expect(performance.now() - started).toBeLessThan(200)
  })

  it("answers one time, so a Hub back from downtime runs one catch-up backup", () => {
    // down from 01:05 to 05:43: the time due after the last run is overdue, so one backup runs now,
    // and the next due time counts from now, skipping the 27 other missed times
    const everyTenMinutes = cron("*/10 * * * *")
    expect(nextDueAfter(everyTenMinutes, new Date("2024-05-01T01:00:00Z"), "UTC").toISOString()).toBe("2024-05-01T01:10:00.000Z")
    expect(nextDueAfter(everyTenMinutes, new Date("2024-05-01T05:43:00Z"), "UTC").toISOString()).toBe("2024-05-01T05:50:00.000Z")
  })
})

describe("nextDueAfter across DST in Europe/Berlin", () => {
  // 2024-03-31: 02:00 CET jumps to 03:00 CEST (01:00Z). 2024-10-27: 03:00 CEST falls back to 02:00 CET (01:00Z).
  it("runs a time in the spring-forward gap at the first instant after the gap", () => {
    expect(dueTimes("30 2 * * *", "2024-03-30T12:00:00Z", 3, "Europe/Berlin")).toEqual([
      "2024-03-31T01:00:00.000Z", // 03:00 CEST: 02:30 does not exist
      "2024-04-01T00:30:00.000Z", // 02:30 CEST
      "2024-04-02T00:30:00.000Z"
    ])
  })

  it("runs the times of the skipped hour once, at the end of the gap", () => {
    expect(dueTimes("*/20 * * * *", "2024-03-31T00:30:00Z", 4, "Europe/Berlin")).toEqual([
      "2024-03-31T00:40:00.000Z", // 01:40 CET
      "2024-03-31T01:00:00.000Z", // 02:00, 02:20, 02:40 do not exist: one run at 03:00 CEST
      "2024-03-31T01:20:00.000Z", // 03:20 CEST
      "2024-03-31T01:40:00.000Z"
    ])
  })

  it("runs a time in the fall-back overlap once, at its first occurrence", () => {
    expect(dueTimes("30 2 * * *", "2024-10-26T12:00:00Z", 2, "Europe/Berlin")).toEqual([
      "2024-10-27T00:30:00.000Z", // 02:30 CEST, not again at 02:30 CET
      "2024-10-28T01:30:00.000Z" // 02:30 CET
    ])
    // asked during the second 02:xx hour, it does not repeat the first one's times
    expect(nextDueAfter(cron("45 2 * * *"), new Date("2024-10-27T01:30:00Z"), "Europe/Berlin").toISOString())
      .toBe("2024-10-28T01:45:00.000Z")
  })

  it("keeps every-15-minutes running through the repeated hour without running any wall time twice", () => {
    const times = dueTimes("*/15 * * * *", "2024-10-27T00:40:00Z", 5, "Europe/Berlin")
    expect(times).toEqual([
      "2024-10-27T00:45:00.000Z", // 02:45 CEST
      "2024-10-27T02:00:00.000Z", // 03:00 CET: 02:00-02:45 CET repeat wall times that already ran
      "2024-10-27T02:15:00.000Z",
      "2024-10-27T02:30:00.000Z",
      "2024-10-27T02:45:00.000Z"
    ])
  })

  it("keeps daily times at the same wall-clock hour on both sides of a change", () => {
    expect(dueTimes("0 3 * * *", "2024-03-30T00:00:00Z", 2, "Europe/Berlin")).toEqual([
      "2024-03-30T02:00:00.000Z", // 03:00 CET
      "2024-03-31T01:00:00.000Z" // 03:00 CEST
    ])
  })
})
