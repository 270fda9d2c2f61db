import { ConfigError } from "effect"
import { type AppErrorTag, exitCodeByTag, ExitCode } from "./ExitCodes.js"

export interface DescribedError {
  readonly code: string
  readonly message: string
  readonly exitCode: number
}

/** Names the variable and what is wrong with it, never its value. */
const describeConfigError = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
      return `${describeConfigError(error.left)}; ${describeConfigError(error.right)}`
    case "Or":
      return describeConfigError(error.left)
    case "MissingData":
      return `${error.path.join(".")} is not set`
    case "InvalidData":
    case "SourceUnavailable":
    case "Unsupported": {
      const name = error.path.join(".")
      return name === "" || error.message.includes(name) ? error.message : `${name}: ${error.message}`
    }
  }
}

const snake = (tag: string) => tag.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()

const isTagged = (e: unknown): e is { readonly _tag: string; readonly message?: unknown } =>
  typeof e === "object" && e !== null && typeof (e as { _tag?: unknown })._tag === "string"

/** Turns a typed failure into one line for a person and a code for scripts. */
export const describeError = (error: unknown): DescribedError => {
  if (ConfigError.isConfigError(error)) {
    return { code: "config_error", message: `configuration: ${describeConfigError(error)}`, exitCode: ExitCode.config }
  }
  if (!isTagged(error) || !(error._tag in exitCodeByTag)) {
    return { code: "internal", message: `internal error: ${String(error)}`, exitCode: ExitCode.internal }
  }
  const tag = error._tag as AppErrorTag
  const message = typeof error.message === "string" ? error.message : tag
  switch (tag) {
    case "RequestError":
      return {
        code: "hub_unreachable",
        message: `cannot reach the Hub: ${message}${causeText(error)}`,
        exitCode: exitCodeByTag[tag]
      }
    case "SqlError":
      return {
        code: "database_unreachable",
        message: `database error: ${message}${causeText(error)}`,
        exitCode: exitCodeByTag[tag]
      }
    case "ServeError":
      return { code: "serve_error", message: `the Hub cannot listen: ${causeMessage(error) ?? message}`, exitCode: exitCodeByTag[tag] }
    default:
      return { code: snake(tag), message, exitCode: exitCodeByTag[tag] }
  }
}

const causeMessage = (error: object): string | undefined => {
  const cause = (error as { cause?: { message?: unknown } }).cause
  return cause && typeof cause.message === "string" && cause.message !== "" ? cause.message : undefined
}

const causeText = (error: object): string => {
  const cause = causeMessage(error)
  return cause === undefined ? "" : ` (${cause})`
}
