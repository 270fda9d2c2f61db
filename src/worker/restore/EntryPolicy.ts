import { includeMatcher } from "./includeMatcher.js"
import type { ReadEntry } from "../artifact/TarParser.js"

/** What a restore does with one entry: write it at `path` (relative, normalized), leave it out, or refuse it with a warning. */
export type Verdict =
  | { readonly _tag: "Restore"; readonly path: string }
  | { readonly _tag: "Skip" }
  | { readonly _tag: "Refuse"; readonly message: string }

const SKIP: Verdict = { _tag: "Skip" }
const refuse = (message: string): Verdict => ({ _tag: "Refuse", message })

/** A name's components without '.' and empty ones; "unsafe" when it is absolute or climbs with '..'. */
const normalize = (name: string): string | "absolute" | "climbs" => {
  if (name.startsWith("/")) return "absolute"
  const parts = name.split("/").filter((part) => part !== "" && part !== ".")
  return parts.includes("..") ? "climbs" : parts.join("/")
}

/**
 * Decides, entry by entry in archive order, what a restore may write. Whatever the archive says,
 * nothing lands outside the target: absolute names, '..' and anything below an earlier symlink
 * entry (which could point anywhere) are refused. Symlinks themselves are restored as they were.
 */
export class EntryPolicy {
  private readonly included: (name: string, isDirectory: boolean) => boolean
  // every symlink the archive has named so far, taken or not: a later entry below one is refused
  private readonly symlinks = new Set<string>()

  constructor(includes: ReadonlyArray<string>) {
    this.included = includeMatcher(includes)
  }

  decide(entry: ReadEntry): Verdict {
    const path = normalize(entry.name)
    if (path === "absolute") return refuse("refused: an absolute name would be written outside the target")
    if (path === "climbs") return refuse("refused: a name with '..' would be written outside the target")
    if (path === "") return entry.type === "directory" ? SKIP : refuse("refused: the entry has no name")
    const below = this.symlinkAbove(path)
    if (entry.type === "symlink") this.symlinks.add(path)
    if (!this.included(path, entry.type === "directory")) return SKIP
    if (below !== undefined) return refuse(`refused: it is below the symlink ${below}, which could point outside the target`)
    if (entry.type === "other") return refuse(`skipped: tar entries of type '${entry.typeflag}' (hard links, devices, FIFOs) are not restored`)
    return { _tag: "Restore", path }
  }

  private symlinkAbove(path: string): string | undefined {
    if (this.symlinks.size === 0) return undefined
    for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
      const dir = path.slice(0, slash)
      if (this.symlinks.has(dir)) return dir
    }
    return undefined
  }
}
