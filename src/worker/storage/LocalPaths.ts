import * as path from "node:path"

export const ARTIFACT_FILE = "backup.tar.zst.enc"
export const MANIFEST_FILE = "manifest.json"
export const PARTIAL_SUFFIX = ".partial"

export interface SnapshotRef {
  readonly tenantId: string
  readonly sourceId: string
  readonly snapshotId: string
}

/** The snapshot's directory relative to the storage base; the Hub checks the same layout. */
export const snapshotDirLocator = (ref: SnapshotRef) =>
  `tenants/${ref.tenantId}/sources/${ref.sourceId}/snapshots/${ref.snapshotId}`

export const artifactLocator = (ref: SnapshotRef) => `${snapshotDirLocator(ref)}/${ARTIFACT_FILE}`

/**
 * Resolves a locator under the storage base, refusing anything that would land outside it
 * (absolute paths, `..`), whatever a job or a database row says.
 */
export const resolveLocator = (base: string, locator: string): string | undefined => {
  const root = path.resolve(base)
  const resolved = path.resolve(root, locator)
  return !path.isAbsolute(locator) && resolved.startsWith(root + path.sep) ? resolved : undefined
}
