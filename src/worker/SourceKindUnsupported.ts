import { Data } from "effect"

/**
 * A claim names a source of a kind this worker has no Source for (a newer Hub, an older worker):
 * retrying on the same worker cannot help, so the job fails at once and says which kind.
 */
export class SourceKindUnsupported extends Data.TaggedError("SourceKindUnsupported")<{
  readonly sourceId: string
  readonly kind: string
  /** The kinds this worker can back up and restore to. */
  readonly supported: ReadonlyArray<string>
}> {
  get retryable(): false {
    return false
  }

  override get message() {
    return `source ${this.sourceId} is of kind "${this.kind}", which this worker cannot handle (it knows: ${this.supported.join(", ")}); upgrade the worker`
  }
}
