import { Schema } from "effect"
import { daysInMonth, wallClockAsUtc } from "../schedule/WallClock.js"
import type { RetentionSnapshot } from "./Apply.js"

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/

/** A strict RFC 3339 time (no Feb 30, no hour 24), kept to the millisecond. */
export const parseRfc3339 = (text: string): Date | undefined => {
  const match = RFC_3339.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const [fraction = "", sign, offsetHours = "0", offsetMinutes = "0"] = match.slice(7)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59 || Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined
  const millisecond = Number(fraction.padEnd(3, "0").slice(0, 3))
  const offset = (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000
  return new Date(wallClockAsUtc({ year, month, day, hour, minute, second, millisecond }) - offset)
}

const SnapshotJson = Schema.Struct({
  id: Schema.String.pipe(Schema.minLength(1)).annotations({ message: () => "must be a non-empty string" }),
  time: Schema.String.pipe(
    Schema.filter((text) => parseRfc3339(text) !== undefined || `'${text}' is not an RFC 3339 time like 2024-05-01T10:00:00Z`)
  ),
  // restic's `snapshots --json` leaves tags out when there are none
  tags: Schema.optionalWith(Schema.NullOr(Schema.Array(Schema.String)), { exact: true })
})

/**
 * The snapshot list `retention preview --from-file` reads: `[{ "id", "time", "tags"? }]`, which
 * is also the shape of `restic snapshots --json` (other fields are ignored). Ids must be unique.
 */
export const SnapshotsJson = Schema.Array(SnapshotJson).annotations({ message: () => "must be a JSON array of snapshots" }).pipe(
  Schema.filter((snapshots) => {
    const seen = new Set<string>()
    const repeated = snapshots.find(({ id }) => seen.size === seen.add(id).size)
    return repeated === undefined || `the id '${repeated.id}' appears more than once`
  })
)

export const toRetentionSnapshots = (snapshots: typeof SnapshotsJson.Type): Array<RetentionSnapshot> =>
  snapshots.map(({ id, tags, time }) => ({ id, time: parseRfc3339(time)!, tags: tags ?? [] }))
