import { Either } from "effect"
import { parseInterval } from "../shared/schedule/Interval.js"

/** "90s", "15m", "24h", "30d", "1w", or combinations like "1d12h". */
export const parseTtl = (text: string): Either.Either<number, string> => {
  const seconds = parseInterval(text)
  if (seconds === undefined) return Either.left(`--ttl must be a duration like 15m, 24h, 30d or 1d12h, got '${text}'`)
  return seconds > 0 ? Either.right(seconds) : Either.left("--ttl must be longer than zero")
}
