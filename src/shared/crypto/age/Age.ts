import { Either } from "effect"
import { AgeError } from "./AgeError.js"
import { formatHeader, parseAgeHeader, verifyHeaderMac, type AgeHeader, type AgeStanza } from "./Header.js"
import { unwrapX25519, wrapX25519 } from "./X25519.js"
import { parseAgeRecipient, parseAgeSecretKey } from "../AgeKeys.js"

// The age-encryption.org/v1 header with X25519 recipients: what both roles need. The Hub unwraps
// a snapshot's file key from its stored header; the worker writes headers and streams the payload
// (src/worker/artifact/AgeStream.ts).

export { AgeError } from "./AgeError.js"
export { headerLength, parseAgeHeader, VERSION_LINE, type AgeHeader, type AgeStanza } from "./Header.js"

export const FILE_KEY_BYTES = 16

const toAgeError = (e: { readonly message: string }) => new AgeError({ reason: e.message })

/**
 * The header text that wraps `fileKey` for every `age1…` recipient. Throws AgeError when there
 * is none or one is not an X25519 recipient: recipients come from the Hub, which checked them.
 */
export const ageHeaderFor = (recipients: ReadonlyArray<string>, fileKey: Uint8Array): string => {
  if (recipients.length === 0) throw new AgeError({ reason: "an age file needs at least one recipient" })
  const stanzas: Array<AgeStanza> = recipients.map((recipient) =>
    Either.getOrThrowWith(Either.flatMap(Either.mapLeft(parseAgeRecipient(recipient), toAgeError), (key) => wrapX25519(fileKey, key)), (e) => e)
  )
  return formatHeader(stanzas, fileKey)
}

// An identity file (`age-keygen` output, `xvault tenant key export`) holds comments around the key.
const identityLine = (identity: string) =>
  identity.split("\n").map((line) => line.trim()).find((line) => line !== "" && !line.startsWith("#")) ?? ""

/**
 * The 16-byte file key of an age file for an `AGE-SECRET-KEY-1…` identity (or the text of an
 * identity file), after checking the header MAC: what a worker needs to decrypt that one file.
 */
export const unwrapFileKey = (
  header: AgeHeader | string | Uint8Array,
  identity: string
): Either.Either<Uint8Array, AgeError> =>
  Either.gen(function* () {
    const parsed = typeof header === "string" || header instanceof Uint8Array ? yield* parseAgeHeader(header) : header
    const secret = yield* parseAgeSecretKey(identityLine(identity)).pipe(Either.mapLeft(toAgeError))
    const fileKey = yield* unwrapX25519(parsed.stanzas, secret)
    return yield* checkMac(parsed, fileKey)
  })

/** The file key, if the header's MAC verifies with it. */
export const checkMac = (header: AgeHeader, fileKey: Uint8Array): Either.Either<Uint8Array, AgeError> =>
  fileKey.length === FILE_KEY_BYTES && verifyHeaderMac(header, fileKey)
    ? Either.right(fileKey)
    : Either.left(new AgeError({ reason: "the age header MAC does not verify: the header was modified, or the file key is not this file's" }))

