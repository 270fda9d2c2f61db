import type { Attributes } from "ssh2"

const S_IFMT = 0o170000

/** "a file", "a directory", "a symlink" or "something else": what lstat found at a path. */
export const describeInPlace = (attrs: Attributes): string => {
  const type = attrs.mode & S_IFMT
  return type === 0o100000 ? "a file" : type === 0o040000 ? "a directory" : type === 0o120000 ? "a symlink" : "something else"
}
