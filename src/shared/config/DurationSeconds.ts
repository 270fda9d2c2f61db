import { Config, ConfigError, Either } from "effect"

const unitSeconds = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const

/** "90s", "15m", "24h", "30d", "1w", or combinations like "1d12h", in seconds; undefined if malformed. */
export const parseSeconds = (text: string): number | undefined => {
  if (!/^(\d+[smhdw])+$/.test(text)) return undefined
  let seconds = 0
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    seconds += Number(amount) * unitSeconds[unit as keyof typeof unitSeconds]
  }
  return seconds
}

/** A duration variable like `24h` or `7d`, in seconds, greater than zero. */
export const durationSeconds = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.withDefault(fallback),
    Config.mapOrFail((text) => {
      const seconds = parseSeconds(text)
      return seconds !== undefined && seconds > 0
        ? Either.right(seconds)
        : Either.left(ConfigError.InvalidData([name], `${name} must be a duration like 90s, 15m, 24h or 7d`))
    })
  )
