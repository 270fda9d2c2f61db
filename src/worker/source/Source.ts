import type { Chunk, Effect, Scope, Stream } from "effect"
import type { TarItem } from "../artifact/TarItem.js"
import type { EntryPolicy } from "../restore/EntryPolicy.js"
import type { RestoreFailed } from "../restore/RestoreFailed.js"
import type { Counters, RestoreWarning } from "../restore/SnapshotToRead.js"
import type { TarPart } from "../artifact/TarParser.js"
import type { SourceFailed } from "./SourceFailed.js"
import type { SourceOptions } from "./SourceOptions.js"

/** What a backup asks of a source: the paths, excludes and callbacks of SourceOptions, and trust on first use. */
export interface ItemsOptions<E> extends SourceOptions {
  /** Called with the server's key fingerprint when the spec has none pinned yet; kinds without a server key never call it. */
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, E>
}

/** What a restore back to a source asks of it. */
export interface TargetOptions<E> {
  /** null: the kind's default place for this snapshot; relative: from the kind's starting directory. */
  readonly targetPath: string | null
  readonly snapshotId: string
  readonly overwrite: boolean
  /** Which entries to write and under which names; the target never writes outside its root. */
  readonly policy: EntryPolicy
  /** The writer counts files, dirs, symlinks and bytesWritten as it writes them. */
  readonly counters: Counters
  readonly warnings: Array<RestoreWarning>
  readonly recordHostKey: (fingerprint: string) => Effect.Effect<void, E>
}

export type TargetFailure = SourceFailed | RestoreFailed

/** Where a restore's entries go: the restore pipeline hands it the archive's parts in order. */
export interface RestoreWriter {
  /** One batch of parts; returns once the target has room for more, so memory stays bounded. */
  readonly write: (parts: Chunk.Chunk<TarPart>) => Effect.Effect<void, TargetFailure>
  /** After the last part: finishes what was held back (symlinks, directory modes and times). */
  readonly finish: Effect.Effect<{ readonly targetPath: string; readonly skipped: number }, TargetFailure>
}

/**
 * One kind of source, as a worker reads and writes it (src/worker/<kind>/). `Spec` is the
 * kind's member of the contract's SourceSpec, as the claim hands it over.
 */
export interface Source<Spec> {
  /**
   * Connects (within the Scope) and returns the entries under `options.paths` as tar items in
   * walk order. Fails only with SourceFailed: unreachable, refused, a missing root, a lost
   * connection; unreadable entries are left out and reported through `onWarning`. A large file's
   * item may carry a `reader` (TarItem.ts) so the archive reads it in place, several reads at once.
   */
  readonly items: <E>(
    spec: Spec,
    options: ItemsOptions<E>
  ) => Effect.Effect<Stream.Stream<TarItem<SourceFailed>, SourceFailed>, SourceFailed | E, Scope.Scope>
  /**
   * Connects, finds or creates the target directory and returns the writer. If the Scope closes
   * with a failure or interruption, everything the restore created is removed.
   */
  readonly restoreTarget: <E>(spec: Spec, options: TargetOptions<E>) => Effect.Effect<RestoreWriter, TargetFailure | E, Scope.Scope>
  /** What the manifest records of where the data came from: never a secret. */
  readonly manifestFields: (spec: Spec) => Readonly<Record<string, unknown>>
}
