import { Data } from "effect"

/** The worker's own volume failed us (full, read-only, gone). Transient: another worker may have room. */
export class StorageFailed extends Data.TaggedError("StorageFailed")<{ readonly message: string }> {
  get retryable(): true {
    return true
  }

  static from(action: string, file: string, error: unknown) {
    const code = (error as { code?: string }).code
    const why = code === "ENOSPC"
      ? "the worker's storage is full (ENOSPC)"
      : code === "EDQUOT"
      ? "the worker's storage quota is exhausted (EDQUOT)"
      : code === "EROFS"
      ? "the worker's storage is read-only (EROFS)"
      : (error as Error).message ?? String(error)
    return new StorageFailed({ message: `cannot ${action} ${file}: ${why}` })
  }
}
