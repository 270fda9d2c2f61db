import { Chunk, Effect, Either, Stream } from "effect"
import { AgeError, checkMac, headerLength, parseAgeHeader, unwrapFileKey, VERSION_LINE } from "../../shared/crypto/age/Age.js"
import { NONCE_BYTES, PayloadOpener, payloadKey } from "./AgePayload.js"

// The reading side of AgeStream: an age file's header checked, then its payload opened chunk by chunk.

// Far above any real header (a post-quantum stanza is ~1.5 KiB): only bounds what a non-age file costs.
const MAX_HEADER_BYTES = 1024 * 1024

/** One run of decryption: the header (and payload nonce) first, then the payload. */
export class Decryption {
  private head: Buffer = Buffer.alloc(0)
  private opener: PayloadOpener | undefined

  constructor(private readonly key: string | Uint8Array) {}

  push(input: Uint8Array): Either.Either<Array<Uint8Array>, AgeError> {
    if (this.opener !== undefined) return Either.all(this.opener.push(input))
    // a copy: the caller may reuse `input` once this returns
    this.head = Buffer.concat([this.head, input])
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
