import { x25519 } from "@noble/curves/ed25519.js"
import { Data, Either } from "effect"
import { randomBytes } from "node:crypto"
import * as Bech32 from "./Bech32.js"

// Key strings in the age-encryption.org/v1 X25519 format, readable by the `age` CLI.

const RECIPIENT_HRP = "age"
const SECRET_KEY_HRP = "AGE-SECRET-KEY-"

export class AgeKeyInvalid extends Data.TaggedError("AgeKeyInvalid")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

export interface AgeIdentity {
  /** `age1…`, what `age -r` takes. */
  readonly publicKey: string
  /** `AGE-SECRET-KEY-1…`, what an `age -i` identity file holds. */
  readonly secretKey: string
}

const parseKey = (
  s: string,
  hrp: string,
  what: string
): Either.Either<Uint8Array, AgeKeyInvalid> => {
  const decoded = Bech32.decode(s)
  if (Either.isLeft(decoded)) return Either.left(new AgeKeyInvalid({ reason: `malformed ${what}: ${decoded.left.reason}` }))
  // Exact match, case included: age itself rejects "AGE1…" and "age-secret-key-1…".
  if (decoded.right.hrp !== hrp) return Either.left(new AgeKeyInvalid({ reason: `not an ${what}: expected prefix "${hrp}1"` }))
  if (decoded.right.data.length !== 32) {
    return Either.left(new AgeKeyInvalid({ reason: `${what} must hold 32 bytes, got ${decoded.right.data.length}` }))
  }
  return Either.right(decoded.right.data)
}

export const parseAgeSecretKey = (s: string): Either.Either<Uint8Array, AgeKeyInvalid> =>
  parseKey(s, SECRET_KEY_HRP, "age secret key")

export const parseAgeRecipient = (s: string): Either.Either<Uint8Array, AgeKeyInvalid> =>
  parseKey(s, RECIPIENT_HRP, "age recipient")

const encodeRecipient = (secret: Uint8Array): string => Bech32.encode(RECIPIENT_HRP, x25519.getPublicKey(secret))

export const generateAgeIdentity = (): AgeIdentity => {
  const secret = new Uint8Array(randomBytes(32))
  return { publicKey: encodeRecipient(secret), secretKey: Bech32.encode(SECRET_KEY_HRP, secret) }
}

/** The `age1…` recipient of a secret key; throws AgeKeyInvalid if it is not one. */
export const ageRecipientOf = (secretKey: string): string =>
  encodeRecipient(Either.getOrThrowWith(parseAgeSecretKey(secretKey), (e) => e))
