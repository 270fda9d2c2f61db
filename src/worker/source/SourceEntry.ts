import type { Attributes } from "ssh2"

/** One path the walk found, with the attributes lstat gives for it. */
export interface SourceEntry {
  /** Absolute, normalized. */
  readonly path: string
  readonly type: "file" | "directory" | "symlink"
  readonly attrs: Attributes
}

const S_IFMT = 0o170000

const TYPES: Record<number, SourceEntry["type"] | string> = {
  0o100000: "file",
  0o040000: "directory",
  0o120000: "symlink",
  0o140000: "socket",
  0o060000: "block device",
  0o020000: "character device",
  0o010000: "fifo"
}

/** The entry, or the name of the file type the backup leaves out ("socket", "fifo", …). */
export const toSourceEntry = (path: string, attrs: Attributes): SourceEntry | string => {
  const type = TYPES[attrs.mode & S_IFMT] ?? "file of unknown type"
  return type === "file" || type === "directory" || type === "symlink" ? { path, type, attrs } : type
}
