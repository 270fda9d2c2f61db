import { Flags } from "@oclif/core"
import { DateTime } from "effect"
import type { Schedule } from "../shared/contract/Schedules.js"
import type { RetentionPolicy } from "../shared/retention/Policy.js"
import { formatLocalTime } from "../shared/schedule/WallClock.js"

export const CRON_SUMMARY = "When to back up: 5 cron fields, minute hour day-of-month month day-of-week (like '0 3 * * *')."

export const timezoneFlag = Flags.string({
  summary: "IANA time zone the cron fields and retention buckets are read in (default UTC).",
  helpValue: "ZONE"
})

export const verifyEveryFlag = Flags.string({
  summary: "Also verify each available snapshot this often, oldest-unverified first (like 7d or 12h; 'off' stops it).",
  helpValue: "DURATION"
})

/** The request value of --verify-every: 'off' is null (no scheduled verification). */
export const verifyEveryOf = (flag: string | undefined) => (flag === undefined ? undefined : flag === "off" ? null : flag)

/** Which flag each request field comes from, so a bad field is reported as the flag the user typed. */
export const flagOfScheduleField = { sourceId: "--source-id", cron: "--cron", timezone: "--timezone", verifyEvery: "--verify-every" }

const flagOfRule: Record<string, string> = {
  keepLast: "keep-last",
  keepHourly: "keep-hourly",
  keepDaily: "keep-daily",
  keepWeekly: "keep-weekly",
  keepMonthly: "keep-monthly",
  keepYearly: "keep-yearly",
  keepWithin: "keep-within",
  keepWithinHourly: "keep-within-hourly",
  keepWithinDaily: "keep-within-daily",
  keepWithinWeekly: "keep-within-weekly",
  keepWithinMonthly: "keep-within-monthly",
  keepWithinYearly: "keep-within-yearly"
}

/** The policy as the flags that would set it: `keep-daily 7, keep-tag release`. */
export const policyText = (policy: RetentionPolicy): string => {
  const rules = Object.entries(flagOfRule).flatMap(([field, flag]) => {
    const value = policy[field as keyof RetentionPolicy]
    return value === undefined ? [] : [`${flag} ${value === -1 ? "unlimited" : String(value)}`]
  })
  const tags = (policy.keepTags ?? []).map((list) => `keep-tag ${list.length === 1 && list[0] === "" ? "''" : list.join(",")}`)
  return [...rules, ...tags].join(", ") || "none (keeps every snapshot)"
}

/** A due time as people read it: the wall clock of the schedule's zone. */
export const localTime = (d: DateTime.Utc | null, timeZone: string) =>
  d === null ? "-" : formatLocalTime(DateTime.toEpochMillis(d), timeZone)

export const scheduleLines = (s: Schedule): ReadonlyArray<string> => [
  `schedule ${s.id}`,
  `  source      ${s.sourceId}`,
  `  tenant      ${s.tenantId}`,
  `  cron        ${s.cron} (${s.timezone})`,
  `  enabled     ${s.enabled ? "yes" : "no"}`,
  `  next due    ${s.enabled ? localTime(s.nextDueAt, s.timezone) : "- (disabled)"}`,
  `  last queued ${localTime(s.lastEnqueuedAt, s.timezone)}`,
  `  retention   ${policyText(s.retention)}`,
  `  verify      ${s.verifyEvery === null ? "- (only when asked)" : `every ${s.verifyEvery}`}`,
  `  created     ${DateTime.formatIso(s.createdAt)}`,
  `  updated     ${DateTime.formatIso(s.updatedAt)}`
]
