import { Schema } from "effect"
import { SnapshotTag } from "../contract/Jobs.js"
import { RetentionDuration } from "./Duration.js"

const KeepCount = Schema.Int.pipe(Schema.greaterThanOrEqualTo(-1)).annotations({
  message: () => ({ message: "must be an integer of -1 (unlimited) or more", override: true }),
  description: "how many buckets to keep; -1 = unlimited, 0 = off"
})

const isSnapshotTag = Schema.is(SnapshotTag)

/** '' stands for "untagged", as in restic; it matches only on its own. */
const KeepTagList = Schema.Array(Schema.String).pipe(
  Schema.filter((tags) => {
    if (tags.length === 0 || tags.length > 32) return "must list 1-32 tags"
    if (tags.includes("")) return tags.length === 1 || "'' (untagged) must be alone in its list"
    const bad = tags.find((tag) => !isSnapshotTag(tag))
    return bad === undefined || `'${bad}' is not a tag (1-63 letters, digits, '.', '_', ':' or '-')`
  })
)

/**
 * restic's `forget` policy as the API takes it and `schedules.retention` stores it. Absent or 0
 * counts are off, -1 is unlimited. keepTags is a list of tag lists: a snapshot with ALL the tags
 * of ANY one list is kept. Unknown fields are refused, so a misspelt rule cannot go unnoticed.
 */
export const RetentionPolicy = Schema.Struct({
  keepLast: Schema.optionalWith(KeepCount, { exact: true }),
  keepHourly: Schema.optionalWith(KeepCount, { exact: true }),
  keepDaily: Schema.optionalWith(KeepCount, { exact: true }),
  keepWeekly: Schema.optionalWith(KeepCount, { exact: true }),
  keepMonthly: Schema.optionalWith(KeepCount, { exact: true }),
  keepYearly: Schema.optionalWith(KeepCount, { exact: true }),
  keepWithin: Schema.optionalWith(RetentionDuration, { exact: true }),
  keepWithinHourly: Schema.optionalWith(RetentionDuration, { exact: true }),
  keepWithinDaily: Schema.optionalWith(RetentionDuration, { exact: true }),
  keepWithinWeekly: Schema.optionalWith(RetentionDuration, { exact: true }),
  keepWithinMonthly: Schema.optionalWith(RetentionDuration, { exact: true }),
  keepWithinYearly: Schema.optionalWith(RetentionDuration, { exact: true }),
  keepTags: Schema.optionalWith(Schema.Array(KeepTagList).pipe(Schema.maxItems(32)), { exact: true })
}).annotations({ parseOptions: { onExcessProperty: "error" } })
export type RetentionPolicy = typeof RetentionPolicy.Type

export const countRules = ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"] as const

export const withinRules = [
  "keepWithin",
  "keepWithinHourly",
  "keepWithinDaily",
  "keepWithinWeekly",
  "keepWithinMonthly",
  "keepWithinYearly"
] as const

/** No rule selects anything: xVault then keeps every snapshot (restic would keep none). */
export const isEmptyPolicy = (policy: RetentionPolicy): boolean =>
  countRules.every((rule) => (policy[rule] ?? 0) === 0) &&
  withinRules.every((rule) => policy[rule] === undefined) &&
  (policy.keepTags ?? []).length === 0
