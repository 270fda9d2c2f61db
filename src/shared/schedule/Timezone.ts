import { Schema } from "effect"

const checked = new Map<string, boolean>()

/**
 * An IANA zone name the runtime's time zone database knows (`UTC`, `Europe/Berlin`). Offsets
 * like `+01:00` are refused: they have no daylight saving rules, so a schedule would drift.
 */
export const isValidTimeZone = (name: string): boolean => {
  const known = checked.get(name)
  if (known !== undefined) return known
  let valid = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)
  if (valid) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: name })
    } catch {
      valid = false
    }
  }
  checked.set(name, valid)
  return valid
}

export const TimeZone = Schema.String.pipe(
  Schema.filter((name) => isValidTimeZone(name) || `'${name}' is not an IANA time zone (like UTC or Europe/Berlin)`)
).annotations({ description: "IANA time zone name, e.g. `UTC` or `Europe/Berlin`" })
