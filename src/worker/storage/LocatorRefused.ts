import { Data } from "effect"

/** A job pointed outside this worker's storage layout: never act on it, and never retry. */
export class LocatorRefused extends Data.TaggedError("LocatorRefused")<{ readonly message: string }> {
  get retryable(): false {
    return false
  }
}
