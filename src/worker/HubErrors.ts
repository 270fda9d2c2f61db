import { Data } from "effect"

/** The Hub no longer recognises this attempt (the job finished, or a retry holds a newer lease). */
export class LeaseLost extends Data.TaggedError("LeaseLost")<{ readonly message: string }> {
  /** Nothing to retry: the job is someone else's now, and this attempt is dropped without a report. */
  get retryable(): false {
    return false
  }
}

/** The Hub did not answer (network, 5xx, an answer we cannot read) even after waiting it out. */
export class HubUnreachable extends Data.TaggedError("HubUnreachable")<{ readonly message: string }> {
  get retryable(): true {
    return true
  }
}
