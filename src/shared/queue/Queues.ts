import { Config, Schema } from "effect"
import { JobId } from "../contract/Ids.js"

/**
 * BullMQ key prefix. Several xVault installations (or test runs) can share one Redis by
 * giving each its own prefix.
 */
export const QueuePrefix = Config.string("XVAULT_QUEUE_PREFIX").pipe(
  Config.withDefault("xvault"),
  Config.validate({
    message: "XVAULT_QUEUE_PREFIX must be 1-64 characters of letters, digits, '.', '_' or '-'",
    validation: (s) => /^[A-Za-z0-9._-]{1,64}$/.test(s)
  })
)

/** Any worker may take a backup. */
export const BACKUP_QUEUE = "backup"

/** Jobs that must run where a snapshot's data is (delete, restore, verify) wait on their worker's own queue. */
export const workerQueue = (workerId: string) => `worker-${workerId}`

/**
 * What travels on Redis: ids only. The worker claims the job from the Hub over HTTP to get
 * anything else, so a Redis dump holds no credential, path or key.
 */
export const QueueMessage = Schema.Struct({ jobId: JobId, attempt: Schema.Int })
export type QueueMessage = typeof QueueMessage.Type

/** One BullMQ job per attempt, so a retry is never swallowed by the id of the attempt before it. */
export const queueJobId = (message: QueueMessage) => `${message.jobId}.${message.attempt}`
