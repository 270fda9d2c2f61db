import { Data } from "effect"

/** Anything wrong with an age file or key: malformed, tampered, truncated, or not for this identity. */
export class AgeError extends Data.TaggedError("AgeError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}
