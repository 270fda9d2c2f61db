import { globToRegExp } from "../source/excludeMatcher.js"

/**
 * Whether a restore takes an entry, by its normalized name (no leading or trailing '/').
 * Patterns use the backup excludes' glob syntax: without '/' a pattern matches a name anywhere
 * (`*.txt`), with '/' the whole name from the root of the archive (`srv/data/docs`, `/srv/*`);
 * a trailing '/' matches directories only. A pattern that matches a directory takes its whole
 * subtree. No patterns: everything.
 */
export type IncludeMatcher = (name: string, isDirectory: boolean) => boolean

interface Compiled {
  readonly regexp: RegExp
  readonly anchored: boolean
  readonly directoriesOnly: boolean
}

const compile = (pattern: string): Compiled | "everything" => {
  const directoriesOnly = pattern.length > 1 && pattern.endsWith("/")
  const body = pattern.replace(/^\/+/, "").replace(/\/+$/, "")
  if (body === "") return "everything"
  return { regexp: globToRegExp(body), anchored: body.includes("/"), directoriesOnly }
}

export const includeMatcher = (patterns: ReadonlyArray<string>): IncludeMatcher => {
  const compiled = patterns.map(compile)
  if (compiled.length === 0 || compiled.includes("everything")) return () => true
  const globs = compiled as Array<Compiled>
  return (name, isDirectory) => {
    const parts = name.split("/")
    // the entry itself, then each directory above it: a match on any of them takes the entry
    for (let depth = parts.length; depth >= 1; depth--) {
      const dir = depth < parts.length || isDirectory
      const prefix = parts.slice(0, depth).join("/")
      const component = parts[depth - 1]!
      if (globs.some((g) => (dir || !g.directoriesOnly) && g.regexp.test(g.anchored ? prefix : component))) return true
    }
    return false
  }
}
