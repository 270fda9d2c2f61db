import { Config, ConfigError, Either, Redacted } from "effect"
import type { Kek } from "./SealedSecret.js"

export type { Kek } from "./SealedSecret.js"

const KEK_VAR = "HUB_ENCRYPTION_KEK"
const VERSION_VAR = "HUB_ENCRYPTION_KEK_VERSION"
const PREVIOUS_VAR = "HUB_ENCRYPTION_KEK_PREVIOUS"
const KEY_LENGTH = 32
const HINT = "generate one with `openssl rand -base64 32`"

// Error messages describe the value (its length, its shape) but never echo it:
// config errors end up in logs.
const invalid = (variable: string, what: string, problem: string) =>
  Either.left(ConfigError.InvalidData([variable], `${what} must be base64 of exactly ${KEY_LENGTH} bytes, ${problem} (${HINT})`))

// Node's base64 decoder skips characters it does not know, so check the shape first
// and require the canonical form, which also rejects stray bits in the padding.
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const decodeKeyText = (
  variable: string,
  what: string,
  text: string
): Either.Either<Uint8Array, ConfigError.ConfigError> => {
  const invalid_ = (problem: string) => invalid(variable, what, problem)
  if (text.length === 0) return invalid_("got an empty value")
  if (!STANDARD_BASE64.test(text)) return invalid_("got a value that is not standard base64")
  const bytes = Buffer.from(text, "base64")
  if (bytes.toString("base64") !== text) return invalid_("got a value that is not canonical base64")
  if (bytes.length !== KEY_LENGTH) return invalid_(`got ${bytes.length} bytes`)
  return Either.right(new Uint8Array(bytes))
}

const decodeKey = (secret: Redacted.Redacted) => decodeKeyText(KEK_VAR, KEK_VAR, Redacted.value(secret))

const checkVersion = (
  version: number,
  variable = VERSION_VAR,
  what = variable
): Either.Either<number, ConfigError.ConfigError> =>
  Number.isInteger(version) && version >= 1 && version <= 0xffff
    ? Either.right(version)
    : Either.left(ConfigError.InvalidData([variable], `${what} must be an integer in 1..65535, got ${version}`))

export const KekConfig: Config.Config<Kek> = Config.all({
  key: Config.redacted(KEK_VAR).pipe(Config.mapOrFail(decodeKey)),
  version: Config.integer(VERSION_VAR).pipe(Config.withDefault(1), Config.mapOrFail((v) => checkVersion(v)))
})

// "VERSION:BASE64,VERSION:BASE64": the keys rotated out, still needed to open what they sealed.
const decodePrevious = (secret: Redacted.Redacted): Either.Either<ReadonlyArray<Kek>, ConfigError.ConfigError> => {
  const text = Redacted.value(secret).trim()
  if (text === "") return Either.right([])
  return Either.all(text.split(",").map((entry, i) => {
    const what = `${PREVIOUS_VAR} entry ${i + 1}`
    const match = /^\s*(\d+):(\S*)\s*$/.exec(entry)
    if (!match) {
      return Either.left(ConfigError.InvalidData([PREVIOUS_VAR], `${what} must look like VERSION:BASE64KEY`))
    }
    return Either.all({
      version: checkVersion(Number(match[1]), PREVIOUS_VAR, `${what}'s version`),
      key: decodeKeyText(PREVIOUS_VAR, what, match[2]!)
    })
  }))
}

export interface KekRing {
  /** Seals everything new. */
  readonly current: Kek
  /** Open-only: keys rotated out whose secrets may not be re-sealed yet. */
  readonly previous: ReadonlyArray<Kek>
}

export const KekRingConfig: Config.Config<KekRing> = Config.all({
  current: KekConfig,
  previous: Config.redacted(PREVIOUS_VAR).pipe(
    Config.withDefault(Redacted.make("")),
    Config.mapOrFail(decodePrevious)
  )
}).pipe(Config.mapOrFail((ring) => {
  const versions = [ring.current.version, ...ring.previous.map((k) => k.version)]
  return new Set(versions).size === versions.length
    ? Either.right(ring)
    : Either.left(ConfigError.InvalidData([PREVIOUS_VAR], `${PREVIOUS_VAR} repeats a key version (versions: ${versions.join(", ")}); each key needs its own`))
}))
