import { Config, ConfigError, Either, Redacted } from "effect"
import type { Kek } from "./SealedSecret.js"

export type { Kek } from "./SealedSecret.js"

const KEK_VAR = "HUB_ENCRYPTION_KEK"
const VERSION_VAR = "HUB_ENCRYPTION_KEK_VERSION"
const KEY_LENGTH = 32
const HINT = "generate one with `openssl rand -base64 32`"

// Error messages describe the value (its length, its shape) but never echo it:
// config errors end up in logs.
const invalid = (problem: string) =>
  Either.left(ConfigError.InvalidData([KEK_VAR], `${KEK_VAR} must be base64 of exactly ${KEY_LENGTH} bytes, ${problem} (${HINT})`))

// Node's base64 decoder skips characters it does not know, so check the shape first
// and require the canonical form, which also rejects stray bits in the padding.
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const decodeKey = (secret: Redacted.Redacted): Either.Either<Uint8Array, ConfigError.ConfigError> => {
  const text = Redacted.value(secret)
  if (text.length === 0) return invalid("got an empty value")
  if (!STANDARD_BASE64.test(text)) return invalid("got a value that is not standard base64")
  const bytes = Buffer.from(text, "base64")
  if (bytes.toString("base64") !== text) return invalid("got a value that is not canonical base64")
  if (bytes.length !== KEY_LENGTH) return invalid(`got ${bytes.length} bytes`)
  return Either.right(new Uint8Array(bytes))
}

const checkVersion = (version: number): Either.Either<number, ConfigError.ConfigError> =>
  version >= 1 && version <= 0xffff
    ? Either.right(version)
    : Either.left(ConfigError.InvalidData([VERSION_VAR], `${VERSION_VAR} must be an integer in 1..65535, got ${version}`))

export const KekConfig: Config.Config<Kek> = Config.all({
  key: Config.redacted(KEK_VAR).pipe(Config.mapOrFail(decodeKey)),
  version: Config.integer(VERSION_VAR).pipe(Config.withDefault(1), Config.mapOrFail(checkVersion))
})
