import type { ZstdError } from "./artifact/ZstdFrames.js"
import type { HubUnreachable, LeaseLost } from "./HubErrors.js"
import type { RestoreFailed } from "./restore/RestoreFailed.js"
import type { SourceKindUnsupported } from "./source/SourceKindUnsupported.js"
import type { SourceFailed } from "./source/SourceFailed.js"
import type { LocatorRefused } from "./storage/LocatorRefused.js"
import type { StorageFailed } from "./storage/StorageFailed.js"

/**
 * Every way one job attempt can fail: the source (SourceFailed, SourceKindUnsupported), this
 * worker's storage (StorageFailed, LocatorRefused), the artifact (ZstdError while compressing;
 * damage reads as RestoreFailed or a verify outcome), the Hub (LeaseLost, HubUnreachable). Each
 * says in `retryable` whether the same job may succeed later; JobRunner reports exactly that.
 */
export type WorkerError =
  | SourceFailed
  | SourceKindUnsupported
  | StorageFailed
  | LocatorRefused
  | ZstdError
  | RestoreFailed
  | LeaseLost
  | HubUnreachable
