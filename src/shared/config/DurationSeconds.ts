import { Config, ConfigError, Either } from "effect"
import { parseInterval } from "../schedule/Interval.js"

/** A duration variable like `24h` or `7d`, in seconds, greater than zero. */
export const durationSeconds = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.withDefault(fallback),
    Config.mapOrFail((text) => {
      const seconds = parseInterval(text)
      return seconds !== undefined && seconds > 0
        ? Either.right(seconds)
        : Either.left(ConfigError.InvalidData([name], `${name} must be a duration like 90s, 15m, 24h or 7d`))
    })
  )
