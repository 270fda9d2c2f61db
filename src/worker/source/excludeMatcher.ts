/**
 * Whether the walk leaves out `path` (absolute). Callers test every entry they reach and do not descend
 * into an excluded directory, so a pattern without '/' only needs to look at the entry's own name.
 */
export type ExcludeMatcher = (path: string, isDirectory: boolean) => boolean

interface CompiledPattern {
  readonly regexp: RegExp
  /** Has a '/': matched against the whole absolute path; otherwise against the basename. */
  readonly anchored: boolean
  /** Ended in '/': matches directories only. */
  readonly directoriesOnly: boolean
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")

// A bracket expression as in fnmatch: [abc], [a-z], [!abc] / [^abc]; never matches '/'.
const bracket = (glob: string, start: number): { readonly source: string; readonly end: number } | undefined => {
  let i = start + 1
  const negated = glob[i] === "!" || glob[i] === "^"
  if (negated) i++
  let body = ""
  for (let first = true; i < glob.length; i++, first = false) {
    const c = glob[i]!
    if (c === "]" && !first) {
      return { source: negated ? `[^/${body}]` : `(?!/)[${body}]`, end: i }
    }
    body += c === "\\" || c === "]" || c === "[" || c === "^" ? `\\${c}` : c
  }
  return undefined
}

/** Translates a glob to an anchored RegExp: `*` and `?` stay within one path component, `**` crosses '/'. */
export const globToRegExp = (glob: string): RegExp => {
  let source = ""
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === "*" && glob[i + 1] === "*") {
      const atSegmentStart = i === 0 || glob[i - 1] === "/"
      if (atSegmentStart && glob[i + 2] === "/") {
        source += "(?:.*/)?" // "a/**/b" also matches "a/b"
        i += 2
      } else {
        source += ".*"
        i += 1
      }
    } else if (c === "*") {
      source += "[^/]*"
    } else if (c === "?") {
      source += "[^/]"
    } else if (c === "[") {
      const set = bracket(glob, i)
      if (set === undefined) {
        source += "\\["
      } else {
        source += set.source
        i = set.end
      }
    } else if (c === "\\" && i + 1 < glob.length) {
      source += escapeRegExp(glob[++i]!)
    } else {
      source += escapeRegExp(c)
    }
  }
  return new RegExp(`^${source}$`, "u")
}

const compile = (pattern: string): CompiledPattern | undefined => {
  const directoriesOnly = pattern.length > 1 && pattern.endsWith("/")
  const body = directoriesOnly ? pattern.replace(/\/+$/, "") : pattern
  if (body === "") return undefined
  const anchored = body.includes("/")
  // "srv/cache" and "/srv/cache" name the same absolute path.
  const glob = anchored && !body.startsWith("/") ? `/${body}` : body
  return { regexp: globToRegExp(glob), anchored, directoriesOnly }
}

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1)

export const excludeMatcher = (patterns: ReadonlyArray<string>): ExcludeMatcher => {
  const compiled = patterns.map(compile).filter((p): p is CompiledPattern => p !== undefined)
  if (compiled.length === 0) return () => false
  return (path, isDirectory) => {
    const name = basename(path)
    return compiled.some((p) =>
      (isDirectory || !p.directoriesOnly) && p.regexp.test(p.anchored ? path : name)
    )
  }
}
