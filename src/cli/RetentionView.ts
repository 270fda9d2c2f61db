import { DateTime } from "effect"
import type { RetentionPlan } from "../shared/contract/Schedules.js"
import { formatLocalTime } from "../shared/schedule/WallClock.js"
import { formatTable } from "./table.js"

/** Every snapshot newest first; `reasons` is absent for the ones the policy removes. */
export interface RetentionView {
  readonly timeZone: string
  readonly rows: ReadonlyArray<{ readonly id: string; readonly time: Date; readonly reasons?: ReadonlyArray<string> }>
}

/** The Hub's plan as one list, in the Hub's order (newest first, the higher id first on a tie). */
export const viewOfPlan = (plan: RetentionPlan): RetentionView => {
  const rows = [
    ...plan.keep.map((k) => ({ id: k.id, time: DateTime.toDate(k.createdAt), reasons: k.reasons })),
    ...plan.remove.map((r) => ({ id: r.id, time: DateTime.toDate(r.createdAt) }))
  ]
  rows.sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
  return { timeZone: plan.timezone, rows }
}

/** The table people read, with local times of the buckets' zone, and a one-line count. */
export const retentionText = (view: RetentionView): string => {
  const keep = view.rows.filter((row) => row.reasons !== undefined).length
  return [
    formatTable(view.rows, [
      ["snapshot", (row) => row.id],
      ["time", (row) => formatLocalTime(row.time.getTime(), view.timeZone)],
      ["action", (row) => (row.reasons === undefined ? "remove" : "keep")],
      ["reasons", (row) => row.reasons?.join(", ") ?? ""]
    ]),
    "",
    `keep ${keep}, remove ${view.rows.length - keep} (buckets in ${view.timeZone})`
  ].join("\n")
}

/** `retention preview --json`: the same shape whether the snapshots came from a file or the Hub. */
export const keepRemoveJson = (view: RetentionView) => ({
  keep: view.rows.flatMap(({ id, reasons }) => (reasons === undefined ? [] : [{ id, reasons }])),
  remove: view.rows.flatMap(({ id, reasons }) => (reasons === undefined ? [{ id }] : []))
})
