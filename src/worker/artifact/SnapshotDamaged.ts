import { Data } from "effect"

/** The artifact is gone, is not what the Hub recorded, or does not decode: reading it again gives the same answer. */
export class SnapshotDamaged extends Data.TaggedError("SnapshotDamaged")<{ readonly problem: string }> {
  get retryable(): false {
    return false
  }
}
