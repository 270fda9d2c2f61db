import * as path from "node:path"

/** What an object is called while it is being written; a crash leaves it behind, the sweep removes it. */
export const PARTIAL_SUFFIX = ".partial"

/**
 * Resolves a locator under the storage base, refusing anything that would land outside it
 * (absolute paths, `..`), whatever a job or a database row says.
 */
export const resolveLocator = (base: string, locator: string): string | undefined => {
  const root = path.resolve(base)
  const resolved = path.resolve(root, locator)
  return !path.isAbsolute(locator) && resolved.startsWith(root + path.sep) ? resolved : undefined
}
