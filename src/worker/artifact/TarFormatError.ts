import { Data } from "effect"

/** The decompressed artifact is not a readable tar: `reason` names the entry or offset. */
export class TarFormatError extends Data.TaggedError("TarFormatError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}
