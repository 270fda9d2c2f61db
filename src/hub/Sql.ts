import { PgClient } from "@effect/sql-pg"
import { Config, Duration } from "effect"
import { DatabaseUrl } from "../shared/config/Urls.js"

export const SqlLive = PgClient.layerConfig({
  url: DatabaseUrl,
  applicationName: Config.succeed("xvault-hub"),
  connectTimeout: Config.succeed(Duration.seconds(5)),
  maxConnections: Config.integer("DATABASE_POOL_MAX").pipe(Config.withDefault(10))
})
