import { Config, type ConfigError, Effect, Layer } from "effect"
import type { ArtifactStore, StorageBackend } from "./ArtifactStore.js"
import type { StorageFailed } from "./StorageFailed.js"
import { LocalFsStoreLive } from "./LocalFsStore.js"

/** Every store this worker can use, by its WORKER_STORAGE_BACKEND value: a new store adds a line. */
const STORES: Record<StorageBackend, Layer.Layer<ArtifactStore, StorageFailed | ConfigError.ConfigError>> = {
  local_fs: LocalFsStoreLive
}

const BACKENDS = Object.keys(STORES) as ReadonlyArray<StorageBackend>

export const StorageBackendConfig = Config.string("WORKER_STORAGE_BACKEND").pipe(
  Config.withDefault("local_fs"),
  Config.validate({
    message: `WORKER_STORAGE_BACKEND must be one of: ${BACKENDS.join(", ")}`,
    validation: (value): value is StorageBackend => (BACKENDS as ReadonlyArray<string>).includes(value)
  })
)

/** The ArtifactStore WORKER_STORAGE_BACKEND selects (local_fs, the default and only one so far). */
export const ArtifactStoreLive = Layer.unwrapEffect(Effect.map(StorageBackendConfig, (backend) => STORES[backend]))
