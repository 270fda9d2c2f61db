/** Calendar fields of a local time; month 1-12. Year 0 is 1 BC (astronomical years). */
export interface WallClock {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly millisecond: number
}

const DAY_MS = 86_400_000

/** Days since 1970-01-01 of a calendar date (proleptic Gregorian, any year). */
export const dayNumber = (year: number, month: number, day: number): number => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  return Math.floor(date.getTime() / DAY_MS)
}

/** 0 = Sunday … 6 = Saturday, as in cron. */
export const weekday = (year: number, month: number, day: number): number => (((dayNumber(year, month, day) + 4) % 7) + 7) % 7

export const daysInMonth = (year: number, month: number): number =>
  dayNumber(year, month + 1, 1) - dayNumber(year, month, 1)

/** The fields as if they were UTC. Out-of-range fields roll over like Date.UTC (Feb 31 → Mar 2/3). */
export const wallClockAsUtc = (w: WallClock): number => {
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999
  date.setUTCFullYear(w.year, w.month - 1, w.day)
  date.setUTCHours(w.hour, w.minute, w.second, w.millisecond)
  return date.getTime()
}

const utcWallClock = (ms: number): WallClock => {
  const d = new Date(ms)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds()
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (timeZone: string) => {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

const isUtc = (timeZone: string) => timeZone === "UTC" || timeZone === "Etc/UTC"

/** The local calendar fields of an instant in an IANA zone. */
export const wallClockOf = (ms: number, timeZone: string): WallClock => {
  if (isUtc(timeZone)) return utcWallClock(ms)
  const fields: Record<string, string> = {}
  for (const part of formatterFor(timeZone).formatToParts(ms)) fields[part.type] = part.value
  const yearOfEra = Number(fields["year"])
  return {
    year: fields["era"] === "BC" ? 1 - yearOfEra : yearOfEra,
    month: Number(fields["month"]),
    day: Number(fields["day"]),
    hour: Number(fields["hour"]),
    minute: Number(fields["minute"]),
    second: Number(fields["second"]),
    millisecond: ((ms % 1000) + 1000) % 1000
  }
}

/** Local time minus UTC at an instant, in milliseconds (+3_600_000 for Berlin in winter). */
export const utcOffsetAt = (ms: number, timeZone: string): number =>
  isUtc(timeZone) ? 0 : wallClockAsUtc(wallClockOf(ms, timeZone)) - ms

/**
 * The instant a local time names. A time skipped by a spring-forward gap becomes the first
 * instant after the gap; a time repeated by a fall-back overlap becomes its first occurrence.
 * Both choices are the earliest defensible instant, so a retention cutoff keeps more, never less.
 */
export const instantOf = (wall: WallClock, timeZone: string): number => {
  const asUtc = wallClockAsUtc(wall)
  if (isUtc(timeZone)) return asUtc
  // assumes at most one offset change within a day either side, as in the rules of today's zones
  const offsetBefore = utcOffsetAt(asUtc - DAY_MS, timeZone)
  const offsetAfter = utcOffsetAt(asUtc + DAY_MS, timeZone)
  const candidates = [asUtc - offsetBefore, asUtc - offsetAfter]
    .filter((instant) => utcOffsetAt(instant, timeZone) === asUtc - instant)
  if (candidates.length > 0) return Math.min(...candidates)
  return firstInstantWithOffset(asUtc - offsetAfter, asUtc - offsetBefore, offsetAfter, timeZone)
}

/** Binary search over whole seconds for the transition that ends a gap within [from, to]. */
const firstInstantWithOffset = (from: number, to: number, offset: number, timeZone: string): number => {
  let low = Math.floor(from / 1000)
  let high = Math.ceil(to / 1000)
  while (low < high) {
    const middle = Math.floor((low + high) / 2)
    if (utcOffsetAt(middle * 1000, timeZone) === offset) high = middle
    else low = middle + 1
  }
  return low * 1000
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0")

/** RFC 3339 in the zone's local time: `2024-03-31T03:30:00+02:00`, so people see the wall clock buckets use. */
export const formatLocalTime = (ms: number, timeZone: string): string => {
  const w = wallClockOf(ms, timeZone)
  const offsetMinutes = Math.round(utcOffsetAt(ms, timeZone) / 60_000)
  const zone = offsetMinutes === 0
    ? "Z"
    : `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${zone}`
}
