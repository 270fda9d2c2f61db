import type { Stream } from "effect"

/** What a tar entry says about a file: the source's metadata, as GNU tar would record it. */
export interface TarEntryMeta {
  /** The absolute source path without its leading '/', as GNU tar writes it. */
  readonly name: string
  readonly type: "file" | "directory" | "symlink"
  /** Bytes of content; 0 for directories and symlinks. */
  readonly size: number
  /** Permission bits (and setuid/setgid/sticky), without the file type bits. */
  readonly mode: number
  /** Seconds since the epoch; may be fractional. */
  readonly mtime: number
  readonly uid: number
  readonly gid: number
  /** The target of a symlink. */
  readonly linkname?: string
}

/** One entry on its way into the archive: metadata now, content as it arrives. */
export interface TarItem<E = never> {
  readonly meta: TarEntryMeta
  /** Exactly `meta.size` bytes are expected; the tar writer pads or cuts when the source disagrees. */
  readonly content: Stream.Stream<Uint8Array, E>
  /**
   * The whole content when it is already in memory (small files): the writer then emits the
   * entry as one buffer instead of running `content`, which is what bounds small-file speed.
   */
  readonly data?: Uint8Array | undefined
  /**
   * Reads the content straight into the archive's buffers, many reads at once (large files):
   * the encoder then uses it instead of running `content`, which saves a buffer and a stream
   * step per read. A source kind may leave it out.
   */
  readonly reader?: ContentReader<E> | undefined
}

/** What one read into the archive came to. */
export type ReadOutcome<E> =
  /** Bytes read into the target from its start; fewer than asked: ask again for the rest; 0: end of file. */
  | { readonly bytes: number }
  /** The file cannot be read any further (e.g. refused halfway): not a failure, the entry is padded. */
  | { readonly stop: string }
  | { readonly error: E }

/** A file's content read in place, by position, several reads outstanding. */
export interface ContentReader<E> {
  /** Bytes per read the source prefers. */
  readonly chunkBytes: number
  /** Reads the source can keep outstanding. */
  readonly readsInFlight: number
  /** Fills `target` with the content from `position`; calls `done` exactly once. */
  readonly read: (target: Buffer, position: number, done: (outcome: ReadOutcome<E>) => void) => void
  /**
   * Called once after the last read answered: `archived` bytes of content made it into the entry
   * (the rest is zeros), `stopped` says why reading stopped early. The source reports and releases.
   */
  readonly finish: (archived: number, stopped?: string) => void
}
