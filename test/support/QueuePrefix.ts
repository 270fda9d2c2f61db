import { Effect } from "effect"
import { Redis } from "ioredis"
import { redisUrl } from "./env.js"

/**
 * A BullMQ prefix of its own for one test file, so parallel test files never take each
 * other's jobs; its keys are deleted from the real Redis when the scope closes.
 */
export const isolatedQueuePrefix = (name: string) =>
  Effect.acquireRelease(Effect.succeed(`xvt-${name}`), (prefix) =>
    Effect.promise(async () => {
      const redis = new Redis(redisUrl, { lazyConnect: true })
      try {
        await redis.connect()
        let cursor = "0"
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000)
          if (keys.length > 0) await redis.del(...keys)
          cursor = next
        } while (cursor !== "0")
      } finally {
        redis.disconnect()
      }
    }))
