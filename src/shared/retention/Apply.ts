import { Either } from "effect"
import { instantOf, wallClockOf, type WallClock } from "../schedule/WallClock.js"
import { type BucketUnit, bucketKey } from "./Buckets.js"
import { type CalendarDuration, formatDuration, parseDuration } from "./Duration.js"
import type { RetentionPolicy } from "./Policy.js"

/** What retention needs of a snapshot. Ids must be unique. */
export interface RetentionSnapshot {
  readonly id: string
  readonly time: Date
  readonly tags: ReadonlyArray<string>
}

export interface KeptSnapshot {
  readonly id: string
  /** Why, in restic's words: `daily snapshot`, `within 30d`, `has tags [a, b]`, `oldest yearly snapshot`. */
  readonly reasons: Array<string>
}

/** Both lists in walk order: newest first. */
export interface RetentionPlan {
  readonly keep: Array<KeptSnapshot>
  readonly remove: Array<{ readonly id: string }>
}

/** Newest first. Array.prototype.sort is stable, so equal times keep their input order, as in restic. */
export const newestFirst = <S extends RetentionSnapshot>(snapshots: ReadonlyArray<S>): Array<S> =>
  [...snapshots].sort((a, b) => b.time.getTime() - a.time.getTime())

const countRules: ReadonlyArray<{ field: keyof RetentionPolicy; unit: BucketUnit | "last"; reason: string }> = [
  { field: "keepLast", unit: "last", reason: "last snapshot" },
  { field: "keepHourly", unit: "hourly", reason: "hourly snapshot" },
  { field: "keepDaily", unit: "daily", reason: "daily snapshot" },
  { field: "keepWeekly", unit: "weekly", reason: "weekly snapshot" },
  { field: "keepMonthly", unit: "monthly", reason: "monthly snapshot" },
  { field: "keepYearly", unit: "yearly", reason: "yearly snapshot" }
]

const windowRules: ReadonlyArray<{ field: keyof RetentionPolicy; unit: BucketUnit; reason: string }> = [
  { field: "keepWithinHourly", unit: "hourly", reason: "hourly within" },
  { field: "keepWithinDaily", unit: "daily", reason: "daily within" },
  { field: "keepWithinWeekly", unit: "weekly", reason: "weekly within" },
  { field: "keepWithinMonthly", unit: "monthly", reason: "monthly within" },
  { field: "keepWithinYearly", unit: "yearly", reason: "yearly within" }
]

const durationOf = (text: string): CalendarDuration =>
  Either.getOrThrowWith(parseDuration(text), (problem) => new Error(`retention policy was not validated: ${problem}`))

/**
 * Where a keep-within window starts: the newest snapshot that is not in the future, minus the
 * years, months and days as calendar fields in the zone (Mar 31 − 1m = "Feb 31" = Mar 2 or 3),
 * then minus the hours as elapsed time. With no such snapshot every snapshot is inside.
 */
const windowStart = (walk: ReadonlyArray<RetentionSnapshot>, now: Date, timeZone: string) => {
  const latest = walk.find((s) => s.time.getTime() < now.getTime())
  if (latest === undefined) return () => Number.NEGATIVE_INFINITY
  const wall = wallClockOf(latest.time.getTime(), timeZone)
  return (d: CalendarDuration) =>
    instantOf({ ...wall, year: wall.year - d.years, month: wall.month - d.months, day: wall.day - d.days }, timeZone) -
    d.hours * 3_600_000
}

/** restic matches "" to an untagged snapshot; the policy schema allows "" only alone in its list. */
const hasAllTags = (snapshot: RetentionSnapshot, tags: ReadonlyArray<string>) =>
  tags.every((tag) => (tag === "" ? snapshot.tags.length === 0 : snapshot.tags.includes(tag)))

/**
 * restic's `forget` policy, exactly: the union of every rule, in one walk newest first, with
 * hour/day/ISO-week/month/year buckets taken from wall-clock time in `timeZone`. An empty
 * policy keeps nothing here; planRetention is what xVault applies. `policy` must have been
 * decoded with the RetentionPolicy schema.
 */
export const applyResticPolicy = (
  snapshots: ReadonlyArray<RetentionSnapshot>,
  policy: RetentionPolicy,
  timeZone = "UTC",
  now: Date = new Date()
): RetentionPlan => {
  const walk = newestFirst(snapshots)
  const startOf = windowStart(walk, now, timeZone)
  const counters = countRules.flatMap((rule) => {
    const count = (policy[rule.field] as number | undefined) ?? 0
    return count === 0 ? [] : [{ ...rule, remaining: count, last: undefined as string | undefined }]
  })
  const windowOf = (text: string) => {
    const duration = durationOf(text)
    return { label: formatDuration(duration), start: startOf(duration) }
  }
  const within = policy.keepWithin === undefined ? undefined : windowOf(policy.keepWithin)
  const windows = windowRules.flatMap((rule) => {
    const text = policy[rule.field] as string | undefined
    return text === undefined ? [] : [{ ...rule, ...windowOf(text), last: undefined as string | undefined }]
  })
  const plan: RetentionPlan = { keep: [], remove: [] }
  walk.forEach((snapshot, index) => {
    const time = snapshot.time.getTime()
    const isOldest = index === walk.length - 1
    let wall: WallClock | undefined
    const keyOf = (unit: BucketUnit | "last") =>
      unit === "last" ? String(index) : bucketKey(unit, (wall ??= wallClockOf(time, timeZone)))
    const reasons: Array<string> = []
    for (const tags of policy.keepTags ?? []) {
      if (hasAllTags(snapshot, tags)) reasons.push(`has tags [${tags.join(", ")}]`)
    }
    if (within !== undefined && time > within.start) reasons.push(`within ${within.label}`)
    for (const rule of counters) {
      if (rule.remaining === 0) continue
      const key = keyOf(rule.unit)
      // the oldest snapshot is kept by every rule with buckets left, to keep the longest history
      if (key === rule.last && !isOldest) continue
      reasons.push(key === rule.last ? `oldest ${rule.reason}` : rule.reason)
      rule.last = key
      if (rule.remaining > 0) rule.remaining--
    }
    for (const rule of windows) {
      if (time <= rule.start) continue
      const key = keyOf(rule.unit)
      if (key === rule.last && !isOldest) continue
      reasons.push(`${key === rule.last ? "oldest " : ""}${rule.reason} ${rule.label}`)
      rule.last = key
    }
    if (reasons.length > 0) plan.keep.push({ id: snapshot.id, reasons })
    else plan.remove.push({ id: snapshot.id })
  })
  return plan
}
