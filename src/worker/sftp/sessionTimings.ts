/** How long connecting may take when the target does not say. */
export const DEFAULT_READY_TIMEOUT_MS = 20_000
// A silent peer (host gone, cable pulled) is declared dead after about 3 x 10 s.
export const KEEPALIVE_INTERVAL_MS = 10_000
export const KEEPALIVE_COUNT_MAX = 3
/** How long a goodbye may take before the connection is cut. */
export const CLOSE_GRACE_MS = 2_000
