import { describe, expect, it } from "@effect/vitest"
import { bucketKey, isoWeek } from "../../../src/shared/retention/Buckets.js"
import { wallClockOf } from "../../../src/shared/schedule/WallClock.js"

const weekOf = (iso: string, timeZone = "UTC") => bucketKey("weekly", wallClockOf(Date.parse(iso), timeZone))

describe("ISO weeks", () => {
  it("put the turn of the year in the week of its Thursday", () => {
    expect(isoWeek(2024, 12, 30)).toEqual({ weekYear: 2025, week: 1 })
    expect(isoWeek(2024, 12, 29)).toEqual({ weekYear: 2024, week: 52 })
    expect(isoWeek(2016, 1, 1)).toEqual({ weekYear: 2015, week: 53 })
    expect(isoWeek(2016, 1, 3)).toEqual({ weekYear: 2015, week: 53 })
    expect(isoWeek(2016, 1, 4)).toEqual({ weekYear: 2016, week: 1 })
    expect(isoWeek(2020, 12, 31)).toEqual({ weekYear: 2020, week: 53 })
    expect(isoWeek(2021, 1, 1)).toEqual({ weekYear: 2020, week: 53 })
    expect(isoWeek(2026, 1, 1)).toEqual({ weekYear: 2026, week: 1 })
  })

  it("start on Monday", () => {
    // 2024-05-05 is a Sunday, 2024-05-06 a Monday
    expect(weekOf("2024-05-05T23:59:59Z")).not.toBe(weekOf("2024-05-06T00:00:00Z"))
    expect(weekOf("2024-05-06T00:00:00Z")).toBe(weekOf("2024-05-12T23:59:59Z"))
  })

  it("are taken from the wall clock of the zone", () => {
    // Sunday 23:30 UTC is already Monday 00:30 in Berlin
    expect(weekOf("2024-12-29T23:30:00Z", "UTC")).toBe(weekOf("2024-12-29T12:00:00Z", "UTC"))
    expect(weekOf("2024-12-29T23:30:00Z", "Europe/Berlin")).toBe(weekOf("2024-12-30T12:00:00Z", "UTC"))
  })
})

describe("hourly buckets on DST days in Europe/Berlin", () => {
  const hourOf = (iso: string) => bucketKey("hourly", wallClockOf(Date.parse(iso), "Europe/Berlin"))

  it("go from 01:xx straight to 03:xx when the clocks spring forward", () => {
    expect(hourOf("2024-03-31T00:59:00Z")).toBe("2024-3-31 1h")
    expect(hourOf("2024-03-31T01:00:00Z")).toBe("2024-3-31 3h")
  })

  it("share one bucket for the 02:xx hour that happens twice when they fall back", () => {
    expect(hourOf("2024-10-27T00:30:00Z")).toBe("2024-10-27 2h") // 02:30 CEST
    expect(hourOf("2024-10-27T01:30:00Z")).toBe("2024-10-27 2h") // 02:30 CET
  })
})
