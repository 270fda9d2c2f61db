import { Queue } from "bullmq"
import { Effect } from "effect"
import { BACKUP_QUEUE, QueuePrefix, type QueueMessage, queueJobId, workerQueue } from "../../shared/queue/Queues.js"
import { Redis } from "../../shared/queue/Redis.js"

/**
 * Publishes wake-up messages for jobs. The database row is the truth; a message only tells
 * a worker to claim the job, so publishing twice is harmless and a lost message is re-sent
 * by the JobSweeper.
 */
export class JobQueue extends Effect.Service<JobQueue>()("hub/JobQueue", {
  scoped: Effect.gen(function*() {
    const redis = yield* Redis
    const prefix = yield* QueuePrefix
    const queues = new Map<string, Queue>()
    yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all([...queues.values()].map((q) => q.close()))))
    const queueNamed = (name: string) => {
      let queue = queues.get(name)
      if (!queue) {
        queue = new Queue(name, { connection: redis.client, prefix })
        queues.set(name, queue)
      }
      return queue
    }

    /** `targetWorkerId` null: the shared backup queue; otherwise that worker's own queue. */
    const publish = (message: QueueMessage, options: { readonly targetWorkerId: string | null; readonly delayMs?: number }) =>
      Effect.tryPromise(() =>
        queueNamed(options.targetWorkerId === null ? BACKUP_QUEUE : workerQueue(options.targetWorkerId)).add(
          "job",
          message,
          {
            jobId: queueJobId(message),
            delay: options.delayMs ?? 0,
            attempts: 1,
            removeOnComplete: true,
            removeOnFail: true
          }
        )
      ).pipe(Effect.asVoid)

    /** Messages in a queue by state, for /metrics; a queue never used counts zero everywhere. */
    const depth = (name: string) =>
      Effect.promise(() => queueNamed(name).getJobCounts("waiting", "delayed", "active", "prioritized"))

    return { publish, depth } as const
  })
}) {}
