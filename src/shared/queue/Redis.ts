import { Duration, Effect, Redacted } from "effect"
import { Redis as IORedis } from "ioredis"
import { RedisUrl } from "../config/Urls.js"

/** One ioredis connection per process, closed with its scope; BullMQ needs maxRetriesPerRequest: null. */
export class Redis extends Effect.Service<Redis>()("shared/Redis", {
  scoped: Effect.gen(function*() {
    const url = yield* RedisUrl
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new IORedis(Redacted.value(url), { lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true })
      ),
      (c) => Effect.promise(() => c.quit().catch(() => c.disconnect()))
    )
    // Without a listener ioredis prints every reconnect failure; readiness reports it instead.
    client.on("error", () => {})
    const ping = Effect.tryPromise(() => client.ping()).pipe(
      Effect.timeoutFail({ duration: Duration.seconds(2), onTimeout: () => new Error("Redis did not answer in 2 s") }),
      Effect.asVoid
    )
    return { client, ping } as const
  })
}) {}
