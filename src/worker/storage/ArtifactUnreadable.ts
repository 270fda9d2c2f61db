import { Data } from "effect"

/**
 * The stored artifact is gone (`missing`) or is not what the Hub recorded (`mismatch`: its size
 * or SHA-256 differ). Reading it again gives the same answer, so it is never retried.
 */
export class ArtifactUnreadable extends Data.TaggedError("ArtifactUnreadable")<{
  readonly reason: "missing" | "mismatch"
  /** One sentence naming the artifact and what is wrong with it. */
  readonly problem: string
}> {
  get retryable(): false {
    return false
  }

  override get message() {
    return this.problem
  }
}
