import { HttpApiBuilder } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { NotReady } from "../../shared/contract/ApiError.js"
import { Redis } from "../../shared/queue/Redis.js"
import { XVAULT_VERSION } from "../../shared/Version.js"

export const HealthHttpLive = HttpApiBuilder.group(XvaultApi, "health", (handlers) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const redis = yield* Redis
    const database = sql`SELECT 1`.pipe(
      Effect.timeout("2 seconds"),
      Effect.mapError(() => new NotReady({ message: "database unreachable" }))
    )
    const queue = redis.ping.pipe(Effect.mapError(() => new NotReady({ message: "redis unreachable" })))
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok", version: XVAULT_VERSION } as const))
      .handle("readyz", () =>
        Effect.all([database, queue], { concurrency: 2 }).pipe(
          Effect.as({ status: "ready", database: "ok", redis: "ok" } as const)
        ))
  }))
