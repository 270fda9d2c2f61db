import { x25519 } from "@noble/curves/ed25519.js"
import { Either } from "effect"
import { randomBytes } from "node:crypto"
import { AgeError } from "./AgeError.js"
import type { AgeStanza } from "./Header.js"
import { fromBase64, hkdf, open, seal, toBase64 } from "./Primitives.js"

// The X25519 recipient stanza (c2sp.org/age, "The X25519 recipient type").

const INFO = "age-encryption.org/v1/X25519"
const ZERO_NONCE = new Uint8Array(12)

// noble throws on an all-zero shared secret (a low-order point), which age must refuse.
const sharedSecret = (secret: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined => {
  try {
    const shared = x25519.getSharedSecret(secret, publicKey)
    return shared.some((b) => b !== 0) ? shared : undefined
  } catch {
    return undefined
  }
}

const wrapKey = (shared: Uint8Array, share: Uint8Array, recipient: Uint8Array) =>
  hkdf(shared, Buffer.concat([share, recipient]), INFO)

export const wrapX25519 = (fileKey: Uint8Array, recipient: Uint8Array): Either.Either<AgeStanza, AgeError> => {
  const ephemeral = randomBytes(32)
  const share = x25519.getPublicKey(ephemeral)
  const shared = sharedSecret(ephemeral, recipient)
  if (shared === undefined) return Either.left(new AgeError({ reason: "the age recipient is a low-order point" }))
  return Either.right({ args: ["X25519", toBase64(share)], body: seal(wrapKey(shared, share, recipient), ZERO_NONCE, fileKey) })
}

/** The file key from the first X25519 stanza addressed to `identity` (a 32-byte secret). */
export const unwrapX25519 = (
  stanzas: ReadonlyArray<AgeStanza>,
  identity: Uint8Array
): Either.Either<Uint8Array, AgeError> => {
  const recipient = x25519.getPublicKey(identity)
  for (const [i, { args, body }] of stanzas.entries()) {
    if (args[0] !== "X25519") continue
    const share = args.length === 2 ? fromBase64(args[1]!) : undefined
    // The spec requires rejecting malformed X25519 stanzas, and checking the body length
    // before decrypting (partitioning oracles).
    if (share?.length !== 32 || body.length !== 32) {
      return Either.left(new AgeError({ reason: `invalid age header: X25519 stanza ${i + 1} is malformed` }))
    }
    const shared = sharedSecret(identity, share)
    if (shared === undefined) return Either.left(new AgeError({ reason: `X25519 stanza ${i + 1} has a low-order ephemeral share` }))
    const fileKey = open(wrapKey(shared, share, recipient), ZERO_NONCE, body)
    if (fileKey !== undefined) return Either.right(fileKey)
  }
  const types = [...new Set(stanzas.map((s) => s.args[0]))].join(", ")
  return Either.left(new AgeError({ reason: `no recipient stanza matches this identity (the file is encrypted to: ${types})` }))
}
