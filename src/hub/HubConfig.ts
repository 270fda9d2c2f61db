import { Config } from "effect"

export const HubPort = Config.port("HUB_PORT").pipe(Config.withDefault(8080))
export const HubHost = Config.string("HUB_HOST").pipe(Config.withDefault("0.0.0.0"))
/** Request bodies above this are refused with 413 before they are read. */
export const MaxRequestBytes = 256 * 1024
