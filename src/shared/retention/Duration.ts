import { Either, Schema } from "effect"

/** A restic-style span of calendar time. Weeks are folded into days (1w = 7d). */
export interface CalendarDuration {
  readonly years: number
  readonly months: number
  readonly days: number
  readonly hours: number
}

const UNITS = "units y, m (months), w, d, h"
const MAX_AMOUNT = 99_999

const fail = (text: string, problem: string) =>
  Either.left(`'${text}' is not a duration: ${problem} (${UNITS}; like 30d, 12h or 1y6m)`)

/** `1y6m`, `30d`, `2w`, `12h`: numbers each followed by a unit, each unit at most once, in any order. */
export const parseDuration = (text: string): Either.Either<CalendarDuration, string> => {
  if (text === "") return fail(text, "it is empty")
  const total = { years: 0, months: 0, days: 0, hours: 0 }
  const seen = new Set<string>()
  let rest = text
  while (rest !== "") {
    const digits = /^\d+/.exec(rest)?.[0]
    if (digits === undefined) {
      return fail(text, rest.startsWith("-") ? "it cannot be negative" : `expected a number at '${rest}'`)
    }
    const amount = Number(digits)
    if (amount > MAX_AMOUNT) return fail(text, `${digits} is too large (at most ${MAX_AMOUNT})`)
    const unit = rest.charAt(digits.length)
    if (unit === "") return fail(text, `${digits} has no unit`)
    if (!"ymwdh".includes(unit)) return fail(text, `unknown unit '${unit}'`)
    if (seen.has(unit)) return fail(text, `the unit '${unit}' appears twice`)
    seen.add(unit)
    if (unit === "y") total.years = amount
    else if (unit === "m") total.months = amount
    else if (unit === "w") total.days += 7 * amount
    else if (unit === "d") total.days += amount
    else total.hours = amount
    rest = rest.slice(digits.length + 1)
  }
  if (total.years + total.months + total.days + total.hours === 0) return fail(text, "it must be longer than zero")
  return Either.right(total)
}

/** restic's normalised form, in y-m-d-h order: `{ years: 1, days: 1, months: 1 }` prints as `1y1m1d`. */
export const formatDuration = (d: CalendarDuration): string => {
  const text = [[d.years, "y"], [d.months, "m"], [d.days, "d"], [d.hours, "h"]]
    .filter(([amount]) => amount !== 0)
    .map(([amount, unit]) => `${amount}${unit}`)
    .join("")
  return text === "" ? "0h" : text
}

/** A keep-within duration as the API and the stored policy carry it: restic's text form. */
export const RetentionDuration = Schema.String.pipe(
  Schema.filter((text) => Either.match(parseDuration(text), { onLeft: (problem) => problem, onRight: () => true }))
).annotations({ description: "restic-style duration: y, m (months), w, d, h, combinable, e.g. `30d` or `1y6m`" })
