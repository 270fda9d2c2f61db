import { dayNumber, type WallClock, weekday } from "../schedule/WallClock.js"

export type BucketUnit = "hourly" | "daily" | "weekly" | "monthly" | "yearly"

const DAY_MS = 86_400_000

/** ISO 8601 week: Monday first; week 1 holds the year's first Thursday (2016-01-01 is 2015-W53). */
export const isoWeek = (year: number, month: number, day: number): { readonly weekYear: number; readonly week: number } => {
  const days = dayNumber(year, month, day)
  const isoWeekday = weekday(year, month, day) || 7
  const thursday = days - isoWeekday + 4
  const weekYear = new Date(thursday * DAY_MS).getUTCFullYear()
  return { weekYear, week: Math.floor((thursday - dayNumber(weekYear, 1, 1)) / 7) + 1 }
}

/** The bucket a local time falls in: snapshots with equal keys share an hour, day, ISO week, month or year. */
export const bucketKey = (unit: BucketUnit, w: WallClock): string => {
  switch (unit) {
    case "hourly":
      return `${w.year}-${w.month}-${w.day} ${w.hour}h`
    case "daily":
      return `${w.year}-${w.month}-${w.day}`
    case "weekly": {
      const { week, weekYear } = isoWeek(w.year, w.month, w.day)
      return `${weekYear}-W${week}`
    }
    case "monthly":
      return `${w.year}-${w.month}`
    case "yearly":
      return `${w.year}`
  }
}
