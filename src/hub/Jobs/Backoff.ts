const MAX_DELAY_SECONDS = 3600

/** Seconds to wait before attempt `nextAttempt` (2, 3, …): base, 2·base, 4·base, … capped at an hour. */
export const retryDelaySeconds = (baseSeconds: number, nextAttempt: number): number =>
  Math.min(MAX_DELAY_SECONDS, baseSeconds * 2 ** Math.max(0, nextAttempt - 2))
