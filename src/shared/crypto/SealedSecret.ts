import { Data, Effect } from "effect"
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"

// Envelope encryption of secrets stored in PostgreSQL under the platform KEK.
// Blob: format version (1) | key version (u16 BE) | nonce (12) | ciphertext | tag (16).

export interface SealContext {
  readonly table: string
  readonly rowId: string
  readonly column: string
}

export interface Kek {
  /** uint16, >= 1; stored in each blob so rotated-out keys can still open old rows. */
  readonly version: number
  /** 32 bytes (AES-256). */
  readonly key: Uint8Array
}

/** Finds the key for a version; holds old versions during rotation. */
export type Keyring = (version: number) => Uint8Array | undefined

export class SealedSecretUnreadable extends Data.TaggedError("SealedSecretUnreadable")<{ readonly reason: string }> {
  override get message() {
    return `sealed secret unreadable: ${this.reason}`
  }
}

const FORMAT_VERSION = 1
const LABEL = "xvault/sealed-secret/v1"
const HEADER_LENGTH = 3
const NONCE_LENGTH = 12
const TAG_LENGTH = 16
const KEY_LENGTH = 32

export const keyringOf = (...keks: ReadonlyArray<Kek>): Keyring => {
  const byVersion = new Map(keks.map((k) => [k.version, k.key] as const))
  return (version) => byVersion.get(version)
}

const utf8 = new TextEncoder()

// Each part is length-prefixed so ("a", "bc") and ("ab", "c") never collide.
const associatedData = (context: SealContext, keyVersion: number): Buffer => {
  const version = Buffer.alloc(2)
  version.writeUInt16BE(keyVersion)
  const parts = [LABEL, context.table, context.rowId, context.column].map((s) => utf8.encode(s))
  return Buffer.concat(
    [...parts, version].flatMap((part) => {
      const length = Buffer.alloc(4)
      length.writeUInt32BE(part.length)
      return [length, part]
    })
  )
}

const assertValidKek = (kek: Kek): void => {
  if (!Number.isInteger(kek.version) || kek.version < 1 || kek.version > 0xffff) {
    throw new RangeError("KEK version must be an integer in 1..65535")
  }
  if (kek.key.length !== KEY_LENGTH) throw new RangeError(`KEK must be ${KEY_LENGTH} bytes`)
}

/** The KEK version a blob was sealed with, or undefined if it is not a sealed secret of ours. */
export const keyVersionOf = (sealed: Uint8Array): number | undefined =>
  sealed.length >= HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH && sealed[0] === FORMAT_VERSION
    ? (sealed[1]! << 8) | sealed[2]!
    : undefined

export const seal = (kek: Kek, plaintext: Uint8Array, context: SealContext): Uint8Array => {
  assertValidKek(kek)
  const header = Buffer.alloc(HEADER_LENGTH)
  header.writeUInt8(FORMAT_VERSION, 0)
  header.writeUInt16BE(kek.version, 1)
  const nonce = randomBytes(NONCE_LENGTH)
  const cipher = createCipheriv("aes-256-gcm", kek.key, nonce, { authTagLength: TAG_LENGTH })
  cipher.setAAD(associatedData(context, kek.version))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return new Uint8Array(Buffer.concat([header, nonce, ciphertext, cipher.getAuthTag()]))
}

export const open = (
  keyring: Keyring,
  sealed: Uint8Array,
  context: SealContext
): Effect.Effect<Uint8Array, SealedSecretUnreadable> =>
  Effect.suspend(() => {
    const fail = (reason: string) => Effect.fail(new SealedSecretUnreadable({ reason }))
    if (sealed.length < HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH) return fail("truncated")
    const blob = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
    const format = blob.readUInt8(0)
    if (format !== FORMAT_VERSION) return fail(`unsupported format version ${format}`)
    const keyVersion = blob.readUInt16BE(1)
    const key = keyring(keyVersion)
    if (key === undefined) return fail(`unknown key version ${keyVersion}`)
    if (key.length !== KEY_LENGTH) return fail(`key version ${keyVersion} is not ${KEY_LENGTH} bytes`)
    const nonce = blob.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH)
    const ciphertext = blob.subarray(HEADER_LENGTH + NONCE_LENGTH, blob.length - TAG_LENGTH)
    const tag = blob.subarray(blob.length - TAG_LENGTH)
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_LENGTH })
      decipher.setAAD(associatedData(context, keyVersion))
      decipher.setAuthTag(tag)
      return Effect.succeed(new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()])))
    } catch {
      return fail("authentication failed: wrong key or the secret was moved to another row")
    }
  })

export const sealString = (kek: Kek, plaintext: string, context: SealContext): Uint8Array =>
  seal(kek, utf8.encode(plaintext), context)

export const openString = (
  keyring: Keyring,
  sealed: Uint8Array,
  context: SealContext
): Effect.Effect<string, SealedSecretUnreadable> =>
  Effect.flatMap(open(keyring, sealed, context), (bytes) =>
    Effect.try({
      try: () => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
      catch: () => new SealedSecretUnreadable({ reason: "not valid UTF-8" })
    })
  )
