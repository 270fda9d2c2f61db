import { Chunk, Stream } from "effect"
import { randomBytes } from "node:crypto"
import { ageHeaderFor, FILE_KEY_BYTES } from "../../shared/crypto/age/Age.js"
import { NONCE_BYTES, PayloadSealer, payloadKey } from "./AgePayload.js"

// age-encryption.org/v1 files with X25519 recipients, as streams: what `age -r` writes and
// `age -d -i` reads. Memory stays at a couple of 64 KiB chunks whatever the file size. The
// header code is shared (the Hub unwraps file keys); the payload stream is the worker's.

export { AgeError } from "../../shared/crypto/age/Age.js"

export interface AgeEncryptor {
  /** The exact header text at the start of every file this encryptor writes. */
  readonly header: string
  /**
   * Header, payload nonce, then sealed chunks. Each run draws a fresh nonce, so re-running
   * (a retry of the same artifact) never reuses a payload key; use a new encryptor per file.
   */
  readonly encrypt: <E, R>(plaintext: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<Uint8Array, E, R>
  /** The same as `encrypt`, for code that is not a Stream: the file's first bytes and the sealer of its payload. */
  readonly start: () => { readonly head: Buffer; readonly sealer: PayloadSealer }
}

/**
 * A new file key wrapped for every `age1…` recipient. Throws AgeError when there is none or one
 * is not an X25519 recipient: recipients come from the Hub, which checked them when it made them.
 */
export const ageEncryptor = (recipients: ReadonlyArray<string>): AgeEncryptor => {
  const fileKey = randomBytes(FILE_KEY_BYTES)
  const header = ageHeaderFor(recipients, fileKey)
  const headerBytes = Buffer.from(header, "latin1")
  const start = () => {
    const nonce = randomBytes(NONCE_BYTES)
    return { head: Buffer.concat([headerBytes, nonce]), sealer: new PayloadSealer(payloadKey(fileKey, nonce)) }
  }
  const encrypt = <E, R>(plaintext: Stream.Stream<Uint8Array, E, R>) =>
    Stream.suspend(() => {
      const { head, sealer } = start()
      return Stream.make(head).pipe(
        Stream.concat(Stream.mapChunks(plaintext, (chunk) => Chunk.unsafeFromArray(Chunk.toReadonlyArray(chunk).flatMap((b) => sealer.push(b).flat())))),
        Stream.concat(Stream.suspend(() => Stream.fromIterable(sealer.finish())))
      )
    })
  return { header, encrypt, start }
}

export { ageDecrypt } from "./AgeDecrypt.js"
