import { posix } from "node:path"

// Byte order of UTF-8, as `LC_ALL=C sort` and GNU tar's --sort=name order names.
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/**
 * The roots to walk, each once: normalized, in byte order, and without those inside another root.
 * Returns the offending path when one is not absolute.
 */
export const sourceRoots = (paths: ReadonlyArray<string>): Array<string> | { readonly notAbsolute: string } => {
  const relative = paths.find((path) => !path.startsWith("/"))
  if (relative !== undefined) return { notAbsolute: relative }
  const sorted = [...new Set(paths.map((path) => posix.normalize(path).replace(/(.)\/+$/, "$1")))].sort(byBytes)
  const roots: Array<string> = []
  for (const root of sorted) {
    const inside = roots.some((kept) => kept === "/" || root.startsWith(`${kept}/`))
    if (!inside) roots.push(root)
  }
  return roots
}

/** "/srv/a/b" → ["/srv", "/srv/a"]: the directories above a root, which excludes also apply to. */
export const ancestorsOf = (root: string): Array<string> => {
  const parts = root.split("/").filter((part) => part !== "")
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join("/")}`)
}
