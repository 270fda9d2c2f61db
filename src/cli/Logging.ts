import { Config, Effect, Layer, Logger, LogLevel } from "effect"

const LogLevelConfig = Config.logLevel("XVAULT_LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))
const LogFormatConfig = Config.literal("logfmt", "json")("XVAULT_LOG_FORMAT").pipe(Config.withDefault("logfmt"))

/** Logs go to stderr (stdout is for command output), as logfmt for people or JSON for collectors. */
export const LoggingLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const format = yield* LogFormatConfig
    const level = yield* LogLevelConfig
    const logger = format === "json" ? Logger.jsonLogger : Logger.logfmtLogger
    return Layer.merge(
      Logger.replace(Logger.defaultLogger, Logger.withConsoleError(logger)),
      Logger.minimumLogLevel(level)
    )
  })
)
