import { Context, type Effect, type Scope, type Stream } from "effect"
import type { SnapshotOnWorker, StorageBackend } from "../../shared/contract/Workers.js"
import type { ArtifactUnreadable } from "./ArtifactUnreadable.js"
import type { LocatorRefused } from "./LocatorRefused.js"
import type { StorageFailed } from "./StorageFailed.js"

// The seam between the worker and where its artifacts live. Locators are relative paths in the
// layout of src/shared/storage/Locators.ts; a "unit" is one snapshot's or one restore's
// directory (its locator prefix). A store refuses any locator that is absolute or leaves its base.

export type { StorageBackend }

export interface StoredObject {
  readonly sizeBytes: number
  /** Hex SHA-256 of exactly the bytes stored. */
  readonly sha256: string
}

export interface ExpectedObject {
  readonly sizeBytes: number
  readonly sha256: string
}

/** Reads an object piece by piece, for callback code: `undefined` at the end; a failed read rejects with StorageFailed. */
export interface PieceReader {
  /** The next piece, valid until the following call (its buffer is reused). */
  readonly next: () => Promise<Uint8Array | undefined>
}

/** An artifact opened for reading, hashed as it is read. */
export interface ArtifactReader {
  /** The object from its first byte. */
  readonly content: Stream.Stream<Uint8Array, StorageFailed>
  /** The object from its first byte, like `content`, without a Stream step per piece. */
  readonly pieces: () => PieceReader
  /**
   * The object's SHA-256 and size: reads only what the last run of `content` or `pieces` did not
   * (all of it when neither ran), so a verify that stopped at a damaged chunk still hashes everything.
   */
  readonly digest: Effect.Effect<{ readonly sha256: string; readonly size: number }, StorageFailed>
  /** `digest`, compared with what was expected at open: a difference is ArtifactUnreadable (mismatch). */
  readonly check: Effect.Effect<void, ArtifactUnreadable | StorageFailed>
}

export interface IncompleteUnit {
  readonly kind: "snapshots" | "restores"
  readonly locator: string
}

/** A complete unit (its last object written, nothing partial) and when that object was written. */
export interface StoredUnit {
  readonly locator: string
  readonly completedAt: Date
}

export interface ArtifactStoreShape {
  readonly backend: StorageBackend
  /** Where it stores, for log lines (a directory, a bucket); never a credential. */
  readonly describe: string
  /**
   * An empty unit for a new attempt: whatever an earlier attempt left there is removed first,
   * so a retry never mixes its objects with a crashed run's.
   */
  readonly prepare: (unit: string) => Effect.Effect<void, StorageFailed | LocatorRefused>
  /**
   * Stores a stream as one object, atomically: until it returns, nothing at `locator` is
   * readable; on failure or interruption nothing of it is left. Durable (fsynced, or the
   * backend's equivalent) before it returns. The stream is pulled only as fast as storage takes it.
   */
  readonly put: <E, R>(
    locator: string,
    content: Stream.Stream<Uint8Array, E, R>,
    onWritten?: (bytes: number) => void
  ) => Effect.Effect<StoredObject, E | StorageFailed | LocatorRefused, R>
  /**
   * Opens an object (closed with the Scope). Missing, not a plain object, or not of the expected
   * size: ArtifactUnreadable at once; a SHA-256 difference shows in `check`. `onRead` counts bytes.
   */
  readonly open: (
    locator: string,
    expected: ExpectedObject,
    onRead: (bytes: number) => void
  ) => Effect.Effect<ArtifactReader, ArtifactUnreadable | LocatorRefused | StorageFailed, Scope.Scope>
  /** Removes a unit and everything in it. Idempotent; for undoing one's own attempt. */
  readonly discard: (unit: string) => Effect.Effect<void, LocatorRefused>
  /**
   * Removes one snapshot's objects, durably, if its locator is exactly that snapshot's artifact
   * (anything else is LocatorRefused and nothing is touched). Already gone is `removed: false`.
   */
  readonly deleteSnapshot: (snapshot: SnapshotOnWorker) => Effect.Effect<
    { readonly snapshotId: SnapshotOnWorker["id"]; readonly removed: boolean },
    LocatorRefused | StorageFailed
  >
  /** Units a crashed attempt left: a `.partial` object, or without the object written last. */
  readonly listIncomplete: Effect.Effect<ReadonlyArray<IncompleteUnit>, StorageFailed>
  /** Complete units of one kind, for reconcile: what this store holds, whatever the Hub thinks. */
  readonly listUnits: (kind: IncompleteUnit["kind"]) => Effect.Effect<ReadonlyArray<StoredUnit>, StorageFailed>
  /** Removes what listIncomplete lists (at startup, before any job runs) and returns it. */
  readonly sweepIncomplete: Effect.Effect<ReadonlyArray<IncompleteUnit>, StorageFailed>
  /** Bytes still available to this worker; 0 when the backend cannot tell. */
  readonly freeBytes: Effect.Effect<number>
  /** Bytes this store can hold in all (free and used); 0 when the backend cannot tell. */
  readonly sizeBytes: Effect.Effect<number>
}

/** Where this worker keeps its snapshots and archive restores (WORKER_STORAGE_BACKEND). */
export class ArtifactStore extends Context.Tag("worker/ArtifactStore")<ArtifactStore, ArtifactStoreShape>() {}
