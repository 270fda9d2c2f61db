import { Config, Schema } from "effect"
import { WorkerId } from "../shared/contract/Ids.js"

const between = (name: string, min: number, max: number) => ({
  message: `${name} must be an integer from ${min} to ${max}`,
  validation: (n: number) => Number.isInteger(n) && n >= min && n <= max
})

/** Stable across restarts: snapshots on this worker's volume are recorded under this id. */
export const WorkerIdConfig = Config.string("WORKER_ID").pipe(
  Config.validate({
    message: "WORKER_ID must be 1-63 characters of letters, digits, '.', '_' or '-'",
    validation: Schema.is(WorkerId)
  })
)

/** A JWT with role `worker` for this WORKER_ID (`xvault token create --role worker --worker-id ID`). */
export const WorkerToken = Config.redacted("WORKER_TOKEN")

export const StorageBase = Config.string("WORKER_STORAGE_BASE").pipe(
  Config.withDefault("/var/lib/xvault/backups"),
  Config.validate({ message: "WORKER_STORAGE_BASE must be an absolute path", validation: (p) => p.startsWith("/") })
)

/** Jobs run at once; each backup holds one SSH connection and a bounded pipeline. */
export const WorkerConcurrency = Config.integer("WORKER_CONCURRENCY").pipe(
  Config.withDefault(2),
  Config.validate(between("WORKER_CONCURRENCY", 1, 64))
)

export const ZstdLevel = Config.integer("WORKER_ZSTD_LEVEL").pipe(
  Config.withDefault(3),
  Config.validate(between("WORKER_ZSTD_LEVEL", 1, 19))
)
