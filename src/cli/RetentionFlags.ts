import { Flags } from "@oclif/core"
import { Either, ParseResult, Schema } from "effect"
import { RetentionPolicy } from "../shared/retention/Policy.js"
import { InputInvalid } from "./InputInvalid.js"

const count = (summary: string) => Flags.string({ summary, helpValue: "N", helpGroup: "RETENTION" })
const within = (summary: string) => Flags.string({ summary, helpValue: "D", helpGroup: "RETENTION" })

/** The restic-style policy flags, shared by `retention preview` and `schedule create/update`. */
export const retentionFlags = {
  "keep-last": count("Keep the N newest snapshots (-1 or 'unlimited': all)."),
  "keep-hourly": count("Keep the newest snapshot of each of the N newest hours (-1: every hour)."),
  "keep-daily": count("Keep the newest snapshot of each of the N newest days (-1: every day)."),
  "keep-weekly": count("Keep the newest snapshot of each of the N newest ISO weeks (-1: every week)."),
  "keep-monthly": count("Keep the newest snapshot of each of the N newest months (-1: every month)."),
  "keep-yearly": count("Keep the newest snapshot of each of the N newest years (-1: every year)."),
  "keep-within": within("Keep every snapshot within D of the newest one: y, m (months), w, d, h, like 30d or 1y6m."),
  "keep-within-hourly": within("Keep the newest snapshot of every hour within D of the newest one."),
  "keep-within-daily": within("Keep the newest snapshot of every day within D of the newest one."),
  "keep-within-weekly": within("Keep the newest snapshot of every week within D of the newest one."),
  "keep-within-monthly": within("Keep the newest snapshot of every month within D of the newest one."),
  "keep-within-yearly": within("Keep the newest snapshot of every year within D of the newest one."),
  "keep-tag": Flags.string({
    summary: "Keep snapshots that have all these tags (a,b; '' = untagged). Repeatable: any of the lists.",
    helpValue: "TAGS",
    helpGroup: "RETENTION",
    multiple: true,
    multipleNonGreedy: true
  })
}

export type RetentionFlagValues = {
  readonly [F in keyof typeof retentionFlags]?: (F extends "keep-tag" ? ReadonlyArray<string> : string) | undefined
}

const fieldOfFlag = {
  "keep-last": "keepLast",
  "keep-hourly": "keepHourly",
  "keep-daily": "keepDaily",
  "keep-weekly": "keepWeekly",
  "keep-monthly": "keepMonthly",
  "keep-yearly": "keepYearly",
  "keep-within": "keepWithin",
  "keep-within-hourly": "keepWithinHourly",
  "keep-within-daily": "keepWithinDaily",
  "keep-within-weekly": "keepWithinWeekly",
  "keep-within-monthly": "keepWithinMonthly",
  "keep-within-yearly": "keepWithinYearly",
  "keep-tag": "keepTags"
} as const satisfies Record<keyof typeof retentionFlags, keyof RetentionPolicy>

const flagOfField = Object.fromEntries(Object.entries(fieldOfFlag).map(([flag, field]) => [field, flag]))

/** A count as typed; what is not a whole number goes on as text, for the schema to refuse by name. */
const countValue = (text: string): unknown =>
  text === "unlimited" ? -1 : /^-?\d{1,15}$/.test(text) ? Number(text) : text

/** True when any policy flag is given (`schedule update` keeps the stored policy otherwise). */
export const hasPolicyFlags = (flags: RetentionFlagValues): boolean =>
  Object.keys(fieldOfFlag).some((flag) => flags[flag as keyof RetentionFlagValues] !== undefined)

/** The policy the flags describe, checked by the API's own schema; a bad flag is named in one line (exit 2). */
export const policyFromFlags = (flags: RetentionFlagValues): Either.Either<RetentionPolicy, InputInvalid> => {
  const input: Record<string, unknown> = {}
  for (const [flag, field] of Object.entries(fieldOfFlag)) {
    const value = flags[flag as keyof RetentionFlagValues]
    if (value === undefined) continue
    if (typeof value !== "string") input[field] = value.map((list) => list.split(","))
    else input[field] = field.startsWith("keepWithin") ? value : countValue(value)
  }
  return Either.mapLeft(Schema.decodeUnknownEither(RetentionPolicy)(input), (error) => {
    const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
    const [field, index] = issue?.path ?? []
    const flag = `--${flagOfField[String(field)] ?? String(field)}`
    const tags = typeof index === "number" ? ` '${flags["keep-tag"]?.[index]}'` : ""
    return new InputInvalid({ message: `${flag}${tags}: ${issue?.message ?? "is not valid"}` })
  })
}
