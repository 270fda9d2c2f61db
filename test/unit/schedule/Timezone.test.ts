import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { isValidTimeZone, TimeZone } from "../../../src/shared/schedule/Timezone.js"
import { instantOf, utcOffsetAt, wallClockOf } from "../../../src/shared/schedule/WallClock.js"

const wall = (year: number, month: number, day: number, hour: number, minute = 0) =>
  ({ year, month, day, hour, minute, second: 0, millisecond: 0 })

describe("time zones", () => {
  it("accepts IANA names and refuses offsets and made-up names", () => {
    for (const name of ["UTC", "Etc/UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"]) {
      expect(isValidTimeZone(name), name).toBe(true)
    }
    for (const name of ["", "Mars/Olympus", "+01:00", "UTC+1", "Europe/Berlin ", "../etc/passwd"]) {
      expect(isValidTimeZone(name), name).toBe(false)
    }
  })

  it("the TimeZone schema names the bad value", () => {
    expect(Schema.decodeUnknownSync(TimeZone)("Europe/Berlin")).toBe("Europe/Berlin")
    expect(() => Schema.decodeUnknownSync(TimeZone)("Mars/Olympus")).toThrow(
      "'Mars/Olympus' is not an IANA time zone (like UTC or Europe/Berlin)"
    )
  })
})

describe("wall clocks", () => {
  it("reads local fields, also for years before 1 AD", () => {
    expect(wallClockOf(Date.parse("2024-03-31T01:00:00Z"), "Europe/Berlin")).toEqual({ ...wall(2024, 3, 31, 3), second: 0 })
    expect(wallClockOf(Date.parse("2024-12-31T23:30:00.250Z"), "Asia/Tokyo")).toEqual({ ...wall(2025, 1, 1, 8, 30), millisecond: 250 })
    const ancient = instantOf(wall(-7983, 6, 1, 12), "Europe/Berlin")
    expect(wallClockOf(ancient, "Europe/Berlin")).toEqual(wall(-7983, 6, 1, 12))
    expect(utcOffsetAt(Date.parse("2024-07-01T00:00:00Z"), "Europe/Berlin")).toBe(2 * 3_600_000)
  })

  it("maps a local time to its instant, with the earliest choice on DST days", () => {
    expect(new Date(instantOf(wall(2024, 7, 1, 12), "Europe/Berlin")).toISOString()).toBe("2024-07-01T10:00:00.000Z")
    // 02:30 does not exist on 2024-03-31: the first instant after the gap (03:00 CEST)
    expect(new Date(instantOf(wall(2024, 3, 31, 2, 30), "Europe/Berlin")).toISOString()).toBe("2024-03-31T01:00:00.000Z")
    // 02:30 happens twice on 2024-10-27: the first (CEST) one
    expect(new Date(instantOf(wall(2024, 10, 27, 2, 30), "Europe/Berlin")).toISOString()).toBe("2024-10-27T00:30:00.000Z")
    // out-of-range fields roll over: March 31 minus one month is "February 31", which is March 3 in 2023
    expect(new Date(instantOf(wall(2023, 2, 31, 0), "UTC")).toISOString()).toBe("2023-03-03T00:00:00.000Z")
    // New York springs forward at 02:00 local, 07:00Z
    expect(new Date(instantOf(wall(2024, 3, 10, 2, 15), "America/New_York")).toISOString()).toBe("2024-03-10T07:00:00.000Z")
  })
})
