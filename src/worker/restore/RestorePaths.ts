import { Option } from "effect"
import { resolveLocator } from "../storage/SnapshotPaths.js"

export const RESTORE_FILE = "restore.tar"

export interface RestoreRef {
  readonly tenantId: string
  readonly sourceId: string
  readonly restoreId: string
}

// ids are UUIDs by the Hub's schema; anything that could name another directory is refused here too
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/

/** `tenants/{t}/sources/{s}/restores/{restore id}`, relative to the storage base. */
export const restoreDirLocator = (ref: RestoreRef) => `tenants/${ref.tenantId}/sources/${ref.sourceId}/restores/${ref.restoreId}`

export const restoreFileLocator = (ref: RestoreRef) => `${restoreDirLocator(ref)}/${RESTORE_FILE}`

/** The restore's directory on this worker's volume; none when an id is not a plain id. */
export const restoreDir = (storageBase: string, ref: RestoreRef): Option.Option<string> =>
  [ref.tenantId, ref.sourceId, ref.restoreId].every((id) => SAFE_ID.test(id))
    ? Option.fromNullable(resolveLocator(storageBase, restoreDirLocator(ref)))
    : Option.none()
