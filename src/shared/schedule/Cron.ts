import { Data, Either, Schema } from "effect"
import { type CronField, type CronFieldName, fieldSpecs, parseField } from "./CronField.js"
import { daysInMonth, instantOf, wallClockAsUtc, wallClockOf, weekday } from "./WallClock.js"

export type { CronFieldName } from "./CronField.js"

/** A parsed 5-field cron expression: minute hour day-of-month month day-of-week. */
export interface Cron {
  readonly expression: string
  readonly minute: CronField
  readonly hour: CronField
  readonly dayOfMonth: CronField
  readonly month: CronField
  readonly dayOfWeek: CronField
}

/** The expression cannot run: `field` names the part that is wrong, `message` says how. */
export class CronInvalid extends Data.TaggedError("CronInvalid")<{
  readonly field: CronFieldName | "expression"
  readonly message: string
}> {}

// the Gregorian calendar repeats its dates and weekdays every 400 years
const CYCLE_MONTHS = 400 * 12

/**
 * Vixie cron: when both day fields are restricted (neither starts with `*`), a day matches if
 * EITHER matches (`0 0 1 * MON` = the 1st and every Monday); otherwise both must match.
 */
const dayMatches = (cron: Cron, year: number, month: number, day: number) => {
  const byDate = cron.dayOfMonth.values.includes(day)
  const byWeekday = cron.dayOfWeek.values.includes(weekday(year, month, day))
  return cron.dayOfMonth.star || cron.dayOfWeek.star ? byDate && byWeekday : byDate || byWeekday
}

/** The first day on or after the given one that the day and month fields allow, within one 400-year cycle. */
const firstDayFrom = (cron: Cron, year: number, month: number, day: number) => {
  for (let months = 0; months <= CYCLE_MONTHS; months++) {
    if (cron.month.values.includes(month)) {
      const lastDay = daysInMonth(year, month)
      for (let d = day; d <= lastDay; d++) {
        if (dayMatches(cron, year, month, d)) return { year, month, day: d }
      }
    }
    day = 1
    month = month === 12 ? 1 : month + 1
    if (month === 1) year++
  }
  return undefined
}

// parses `*/15 * * * *`, `0 3 * * MON-FRI`, `30 2 1,15 * *`; refuses days that never come (`0 0 31 2 *`)
export const parseCron = (expression: string): Either.Either<Cron, CronInvalid> =>
  Either.gen(function*() {
    const parts = expression.trim().split(/\s+/)
    if (expression.length > 200 || parts.length !== 5 || parts[0] === "") {
      return yield* Either.left(new CronInvalid({
        field: "expression",
        message: `cron expression '${expression.slice(0, 200)}' must have 5 fields: minute hour day-of-month month day-of-week`
      }))
    }
    const fields = yield* Either.all(parts.map((text, i) => {
      const spec = fieldSpecs[i]!
      return Either.mapLeft(parseField(text, spec), (problem) =>
        new CronInvalid({ field: spec.name, message: `cron ${spec.name} field '${text}': ${problem}` }))
    }))
    const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [CronField, CronField, CronField, CronField, CronField]
    const cron: Cron = { expression, minute, hour, dayOfMonth, month, dayOfWeek }
    if (firstDayFrom(cron, 2000, 1, 1) === undefined) {
      return yield* Either.left(new CronInvalid({
        field: "day-of-month",
        message: `cron day-of-month field '${parts[2]}' never falls in month field '${parts[3]}'` +
          (dayOfWeek.star ? "" : ` on day-of-week '${parts[4]}'`)
      }))
    }
    return cron
  })

/** A cron expression as the API takes it; a bad one is a 400 that names the field. */
export const CronExpression = Schema.String.pipe(
  Schema.filter((expression) => Either.match(parseCron(expression), { onLeft: (e) => e.message, onRight: () => true }))
).annotations({ description: "5-field cron: minute hour day-of-month month day-of-week, e.g. `0 3 * * *`" })

/**
 * The first due instant strictly after `after`, matching wall-clock time in `timeZone`. A due
 * time that a spring-forward gap skips runs at the first instant after the gap; a due time
 * that a fall-back overlap repeats runs once, at its first occurrence. Never more than one
 * result, however long ago `after` is: catching up after downtime is one run.
 */
export const nextDueAfter = (cron: Cron, after: Date, timeZone: string): Date => {
  const afterMs = after.getTime()
  const start = wallClockOf(afterMs, timeZone)
  const startMinute = start.hour * 60 + start.minute
  let next = firstDayFrom(cron, start.year, start.month, start.day)
  while (next !== undefined) {
    const isStartDay = next.year === start.year && next.month === start.month && next.day === start.day
    for (const hour of cron.hour.values) {
      for (const minute of cron.minute.values) {
        // wall-clock times up to the start minute are at or before `after`, even in a DST overlap
        if (isStartDay && hour * 60 + minute <= startMinute) continue
        const due = instantOf({ ...next, hour, minute, second: 0, millisecond: 0 }, timeZone)
        if (due > afterMs) return new Date(due)
      }
    }
    const tomorrow = wallClockOf(wallClockAsUtc({ ...next, hour: 12, minute: 0, second: 0, millisecond: 0 }) + 86_400_000, "UTC")
    next = firstDayFrom(cron, tomorrow.year, tomorrow.month, tomorrow.day)
  }
  throw new Error(`cron '${cron.expression}' has no due time: parseCron lets no such expression through`)
}
