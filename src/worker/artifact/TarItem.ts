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
}
