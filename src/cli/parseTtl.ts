import { Either } from "effect"

const unitSeconds = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const

/** "90s", "15m", "24h", "30d", "1w", or combinations like "1d12h". */
export const parseTtl = (text: string): Either.Either<number, string> => {
  if (!/^(\d+[smhdw])+$/.test(text)) {
    return Either.left(`--ttl must be a duration like 15m, 24h, 30d or 1d12h, got '${text}'`)
  }
  let seconds = 0
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    seconds += Number(amount) * unitSeconds[unit as keyof typeof unitSeconds]
  }
  return seconds > 0 ? Either.right(seconds) : Either.left("--ttl must be longer than zero")
}
