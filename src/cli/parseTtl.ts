import { Either } from "effect"
import { parseSeconds } from "../shared/config/DurationSeconds.js"

/** "90s", "15m", "24h", "30d", "1w", or combinations like "1d12h". */
export const parseTtl = (text: string): Either.Either<number, string> => {
  const seconds = parseSeconds(text)
  if (seconds === undefined) return Either.left(`--ttl must be a duration like 15m, 24h, 30d or 1d12h, got '${text}'`)
  return seconds > 0 ? Either.right(seconds) : Either.left("--ttl must be longer than zero")
}
