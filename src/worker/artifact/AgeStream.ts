import { Chunk, Effect, Either, Stream } from "effect"
import { randomBytes } from "node:crypto"
import { AgeError, ageHeaderFor, checkMac, FILE_KEY_BYTES, headerLength, parseAgeHeader, unwrapFileKey, VERSION_LINE } from "../../shared/crypto/age/Age.js"
import { NONCE_BYTES, PayloadOpener, PayloadSealer, payloadKey } from "./AgePayload.js"

// age-encryption.org/v1 files with X25519 recipients, as streams: what `age -r` writes and
// `age -d -i` reads. Memory stays at a couple of 64 KiB chunks whatever the file size. The
// header code is shared (the Hub unwraps file keys); the payload stream is the worker's.

export { AgeError } from "../../shared/crypto/age/Age.js"

// Far above any real header (a post-quantum stanza is ~1.5 KiB): only bounds what a non-age file costs.
const MAX_HEADER_BYTES = 1024 * 1024

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

/** One run of decryption: the header (and payload nonce) first, then the payload. */
class Decryption {
  private head: Buffer = Buffer.alloc(0)
  private opener: PayloadOpener | undefined

  constructor(private readonly key: string | Uint8Array) {}

  push(input: Uint8Array): Either.Either<Array<Uint8Array>, AgeError> {
    if (this.opener !== undefined) return Either.all(this.opener.push(input))
    this.head = this.head.length === 0 ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.concat([this.head, input])
    const prefix = Math.min(this.head.length, VERSION_LINE.length)
    if (this.head.toString("latin1", 0, prefix) !== VERSION_LINE.slice(0, prefix)) {
      return Either.left(new AgeError({ reason: "not an age file: it does not start with age-encryption.org/v1" }))
    }
    const length = headerLength(this.head)
    if (length === undefined && this.head.length > MAX_HEADER_BYTES) {
      return Either.left(new AgeError({ reason: `invalid age header: no MAC line in the first ${MAX_HEADER_BYTES} bytes` }))
    }
    if (length === undefined || this.head.length < length + NONCE_BYTES) return Either.right([])
    return Either.gen(this, function* () {
      const header = yield* parseAgeHeader(this.head.subarray(0, length))
      const fileKey = typeof this.key === "string" ? yield* unwrapFileKey(header, this.key) : yield* checkMac(header, this.key)
      this.opener = new PayloadOpener(payloadKey(fileKey, this.head.subarray(length, length + NONCE_BYTES)))
      const rest = this.head.subarray(length + NONCE_BYTES)
      this.head = Buffer.alloc(0)
      return yield* Either.all(this.opener.push(rest))
    })
  }

  finish(): Either.Either<Uint8Array, AgeError> {
    if (this.opener === undefined) return Either.left(new AgeError({ reason: "truncated age file: it ends inside the header" }))
    return this.opener.finish()
  }
}

/**
 * Decrypts an age file with an identity (`AGE-SECRET-KEY-1…`, or an identity file's text) or
 * with its 16-byte file key (see unwrapFileKey). Plaintext is only emitted once authenticated;
 * a tampered or truncated file fails with an AgeError naming the chunk and its offset.
 */
export const ageDecrypt = (key: string | Uint8Array) =>
  <E, R>(ciphertext: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E | AgeError, R> =>
    Stream.suspend(() => {
      const run = new Decryption(key)
      return ciphertext.pipe(
        Stream.mapChunksEffect((chunk) => {
          const out: Array<Uint8Array> = []
          for (const bytes of chunk) {
            const opened = run.push(bytes)
            if (Either.isLeft(opened)) return Effect.fail(opened.left)
            out.push(...opened.right)
          }
          return Effect.succeed(Chunk.unsafeFromArray(out))
        }),
        Stream.concat(Stream.fromEffect(Effect.suspend(() => run.finish())))
      )
    })
