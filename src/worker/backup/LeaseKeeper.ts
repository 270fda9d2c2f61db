import { Duration, Effect } from "effect"
import type { JobProgress } from "../../shared/contract/Jobs.js"

const REPORT_EVERY_MS = 1000

/**
 * Reports progress at most once a second while it changes, and at least every third of the
 * lease while it does not, so a live attempt never loses its lease. Fails (ending the
 * attempt) as soon as the Hub refuses a report: the lease is no longer ours.
 */
export const keepLease = <E>(options: {
  readonly counters: JobProgress
  readonly leaseSeconds: number
  readonly report: (progress: JobProgress) => Effect.Effect<unknown, E>
}): Effect.Effect<never, E> =>
  Effect.gen(function*() {
    let last = ""
    let lastSentAt = Date.now()
    const renewEveryMs = Math.max(500, (options.leaseSeconds * 1000) / 3)
    while (true) {
      yield* Effect.sleep(Duration.millis(Math.min(REPORT_EVERY_MS, renewEveryMs)))
      const snapshot = { ...options.counters }
      const text = JSON.stringify(snapshot)
      if (text !== last || Date.now() - lastSentAt >= renewEveryMs) {
        yield* options.report(snapshot)
        last = text
        lastSentAt = Date.now()
      }
    }
  })
