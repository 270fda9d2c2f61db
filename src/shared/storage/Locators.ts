// Where a worker's artifacts live, relative to its storage base: the one definition of the
// layout. The worker writes there and the Hub checks a backup's reported locator against it.

export const ARTIFACT_FILE = "backup.tar.zst.enc"
export const MANIFEST_FILE = "manifest.json"
export const RESTORE_FILE = "restore.tar"

export interface SnapshotRef {
  readonly tenantId: string
  readonly sourceId: string
  readonly snapshotId: string
}

export interface RestoreRef {
  readonly tenantId: string
  readonly sourceId: string
  readonly restoreId: string
}

/** `tenants/{t}/sources/{s}`: everything of one source. */
const sourcePrefix = (ref: { readonly tenantId: string; readonly sourceId: string }) =>
  `tenants/${ref.tenantId}/sources/${ref.sourceId}`

/** One snapshot's directory (its artifact and manifest). */
export const snapshotDirLocator = (ref: SnapshotRef) => `${sourcePrefix(ref)}/snapshots/${ref.snapshotId}`

export const artifactLocator = (ref: SnapshotRef) => `${snapshotDirLocator(ref)}/${ARTIFACT_FILE}`

export const manifestLocator = (ref: SnapshotRef) => `${snapshotDirLocator(ref)}/${MANIFEST_FILE}`

/** One archive restore's directory. */
export const restoreDirLocator = (ref: RestoreRef) => `${sourcePrefix(ref)}/restores/${ref.restoreId}`

export const restoreFileLocator = (ref: RestoreRef) => `${restoreDirLocator(ref)}/${RESTORE_FILE}`

/**
 * The kinds of unit (`tenants/{t}/sources/{s}/{kind}/{id}`) a store holds, and the file written
 * last in each: a unit without it (or with a `.partial` file) is what a crashed attempt left.
 */
export const UNIT_KINDS = [
  { kind: "snapshots", completeWith: MANIFEST_FILE },
  { kind: "restores", completeWith: RESTORE_FILE }
] as const

export type UnitKind = (typeof UNIT_KINDS)[number]["kind"]

/** The parts of a unit's locator (`tenants/{t}/sources/{s}/{kind}/{id}`), or undefined for any other path. */
export const parseUnitLocator = (
  locator: string
): { readonly tenantId: string; readonly sourceId: string; readonly kind: UnitKind; readonly id: string } | undefined => {
  const parts = locator.split("/")
  if (parts.length !== 6 || parts[0] !== "tenants" || parts[2] !== "sources") return undefined
  const kind = UNIT_KINDS.find((k) => k.kind === parts[4])?.kind
  return kind === undefined ? undefined : { tenantId: parts[1]!, sourceId: parts[3]!, kind, id: parts[5]! }
}

/** A unit's locator segment by segment, for a store that walks what it holds: null matches any id. */
export const unitPath = (kind: (typeof UNIT_KINDS)[number]["kind"]): ReadonlyArray<string | null> =>
  ["tenants", null, "sources", null, kind, null]
