import type { Attributes } from "ssh2"

/** One path the walk found, with the attributes lstat gives for it. */
export interface SourceEntry {
  /** Absolute, normalized. */
  readonly path: string
  readonly type: "file" | "directory" | "symlink"
  readonly attrs: Attributes
  /** Something to report when the entry's turn comes, e.g. a directory whose contents could not be listed. */
  readonly warning?: string | undefined
}

/** A path the walk leaves out, reported in walk order like the entries around it. */
export interface SkippedEntry {
  readonly path: string
  readonly type: "skipped"
  readonly warning: string
}

export type WalkedEntry = SourceEntry | SkippedEntry

const S_IFMT = 0o170000

const TYPES: Record<number, string> = {
  0o100000: "file",
  0o040000: "directory",
  0o120000: "symlink",
  0o140000: "socket",
  0o060000: "block device",
  0o020000: "character device",
  0o010000: "fifo"
}

/** The entry, or a skipped one for the file types a tar of the source leaves out (sockets, fifos, devices). */
export const toWalkedEntry = (path: string, attrs: Attributes): WalkedEntry => {
  const type = TYPES[attrs.mode & S_IFMT] ?? "file of unknown type"
  return type === "file" || type === "directory" || type === "symlink"
    ? { path, type, attrs }
    : { path, type: "skipped", warning: `skipped: a ${type} cannot be backed up` }
}
