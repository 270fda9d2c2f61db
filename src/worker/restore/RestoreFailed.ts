import { Data } from "effect"

export type RestoreFailedReason =
  /** The artifact is missing, not what the Hub recorded, or does not decode: retrying reads the same bytes. */
  | "damaged"
  /** The job cannot be done as asked (a locator outside the storage base, a bad restore id). */
  | "invalid"
  /** The default target directory exists already and --overwrite was not given. */
  | "target_exists"
  /** The target path cannot be used: not a directory, or it cannot be created. */
  | "target_unusable"
  /** The target refused a write halfway (full disk, quota): it may have room later. */
  | "write_failed"

const RETRYABLE: Record<RestoreFailedReason, boolean> = {
  damaged: false,
  invalid: false,
  target_exists: false,
  target_unusable: false,
  write_failed: true
}

/**
 * A restore cannot be done. `message` is one sentence naming the problem (the entry or offset
 * for a damaged artifact) and never holds a secret; `retryable` says whether the same job may
 * succeed later.
 */
export class RestoreFailed extends Data.TaggedError("RestoreFailed")<{
  readonly reason: RestoreFailedReason
  readonly message: string
}> {
  get retryable(): boolean {
    return RETRYABLE[this.reason]
  }
}
