import { Schema } from "effect"

const unitSeconds = { w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 } as const

/** Seconds in "90s", "15m", "24h", "30d", "1w" or combinations like "1d12h"; undefined if it is none of those. */
export const parseInterval = (text: string): number | undefined => {
  if (!/^(\d+[smhdw])+$/.test(text)) return undefined
  let seconds = 0
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    seconds += Number(amount) * unitSeconds[unit as keyof typeof unitSeconds]
  }
  return seconds
}

/** The shortest text for a number of seconds in days, hours, minutes and seconds: 604800 -> "7d". */
export const intervalText = (seconds: number): string => {
  let rest = seconds
  let text = ""
  for (const unit of ["d", "h", "m", "s"] as const) {
    const amount = Math.floor(rest / unitSeconds[unit])
    if (amount > 0) text += `${amount}${unit}`
    rest -= amount * unitSeconds[unit]
  }
  return text || "0s"
}

const MIN_VERIFY_SECONDS = 60
const MAX_VERIFY_SECONDS = 10 * 365 * 86_400

/** How often a schedule re-verifies each snapshot: "7d", "12h", at least a minute. */
export const VerifyInterval = Schema.String.pipe(
  Schema.filter((s) => {
    const seconds = parseInterval(s)
    return seconds !== undefined && seconds >= MIN_VERIFY_SECONDS && seconds <= MAX_VERIFY_SECONDS
  })
).annotations({ message: () => "must be a duration from 1m to 10 years like 12h, 7d, 1w or 1d12h" })
