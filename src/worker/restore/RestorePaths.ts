import { Option } from "effect"
import { type RestoreRef, restoreDirLocator } from "../../shared/storage/Locators.js"

// ids are UUIDs by the Hub's schema; anything that could name another directory is refused here too
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/

/** The restore's unit locator in the store; none when an id is not a plain id. */
export const restoreUnit = (ref: RestoreRef): Option.Option<string> =>
  [ref.tenantId, ref.sourceId, ref.restoreId].every((id) => SAFE_ID.test(id)) ? Option.some(restoreDirLocator(ref)) : Option.none()
