import { Data } from "effect"

export type SourceFailedReason =
  | "unreachable"
  | "auth"
  | "host_key_mismatch"
  | "missing_path"
  | "connection_lost"
  | "protocol"

const RETRYABLE: Record<SourceFailedReason, boolean> = {
  unreachable: true,
  connection_lost: true,
  protocol: true,
  auth: false,
  host_key_mismatch: false,
  missing_path: false
}

/**
 * The source cannot be backed up right now. `message` is one sentence naming the problem and never
 * holds a credential; `retryable` says whether the same job may succeed later without a config change.
 */
export class SourceFailed extends Data.TaggedError("SourceFailed")<{
  readonly reason: SourceFailedReason
  readonly message: string
}> {
  get retryable(): boolean {
    return RETRYABLE[this.reason]
  }
}
