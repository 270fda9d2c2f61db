import { Either } from "effect"
import { AgeError } from "../../shared/crypto/age/AgeError.js"
import { hkdf, open, sealParts, TAG_BYTES } from "../../shared/crypto/age/Primitives.js"

// The age payload (c2sp.org/age, "Payload"): STREAM over 64 KiB chunks. A chunk is only
// known to be the last one when the input ends, so both directions hold one chunk back.
// The classes are mutable and meant to live for one run of one stream.

export const CHUNK_BYTES = 64 * 1024
const SEALED_BYTES = CHUNK_BYTES + TAG_BYTES
export const NONCE_BYTES = 16

export const payloadKey = (fileKey: Uint8Array, nonce: Uint8Array): Buffer => hkdf(fileKey, nonce, "payload")

// 11-byte big-endian counter, then the last-chunk flag. 48 bits of counter are 16 EiB of payload.
const chunkNonce = (counter: number, last: boolean): Buffer => {
  const nonce = Buffer.alloc(12)
  nonce.writeUIntBE(counter, 5, 6)
  nonce[11] = last ? 1 : 0
  return nonce
}

/** Cuts input into chunks of `size` bytes, handing each on once more input shows it is not the last. */
abstract class HoldBack<Out> {
  private readonly pending: Buffer
  private filled = 0
  protected counter = 0

  constructor(private readonly size: number) {
    this.pending = Buffer.allocUnsafe(size)
  }

  protected abstract chunk(bytes: Uint8Array, last: boolean): Out

  push(input: Uint8Array): Array<Out> {
    const out: Array<Out> = []
    let offset = 0
    while (offset < input.length) {
      if (this.filled === this.size) {
        out.push(this.chunk(this.pending, false))
        this.filled = 0
      }
      // A whole chunk with more input behind it needs no copy.
      if (this.filled === 0 && input.length - offset > this.size) {
        out.push(this.chunk(input.subarray(offset, offset + this.size), false))
        offset += this.size
        continue
      }
      const n = Math.min(this.size - this.filled, input.length - offset)
      this.pending.set(input.subarray(offset, offset + n), this.filled)
      this.filled += n
      offset += n
    }
    return out
  }

  finish(): Out {
    return this.chunk(this.pending.subarray(0, this.filled), true)
  }
}

/** Each sealed chunk comes out as [ciphertext, tag]: written in order they are the payload. */
export class PayloadSealer extends HoldBack<[Buffer, Buffer]> {
  constructor(private readonly key: Uint8Array) {
    super(CHUNK_BYTES)
  }

  protected chunk(bytes: Uint8Array, last: boolean): [Buffer, Buffer] {
    return sealParts(this.key, chunkNonce(this.counter++, last), bytes)
  }
}

export class PayloadOpener extends HoldBack<Either.Either<Uint8Array, AgeError>> {
  constructor(private readonly key: Uint8Array) {
    super(SEALED_BYTES)
  }

  protected chunk(sealed: Uint8Array, last: boolean): Either.Either<Uint8Array, AgeError> {
    const index = this.counter++
    const fail = (problem: string) =>
      Either.left(new AgeError({ reason: `payload chunk ${index} ${problem} (offset ${index * CHUNK_BYTES})` }))
    if (last && sealed.length < TAG_BYTES) return fail(index === 0 ? "is missing: the file is truncated" : "is truncated")
    if (last && sealed.length === TAG_BYTES && index > 0) return fail("is empty, which only an empty file may end with")
    const plaintext = open(this.key, chunkNonce(index, last), sealed)
    if (plaintext !== undefined) return Either.right(plaintext)
    // A full chunk that opens as a middle one means the file was cut on a chunk boundary.
    if (last && sealed.length === SEALED_BYTES && open(this.key, chunkNonce(index, false), sealed) !== undefined) {
      return fail("is not the final chunk: the file is truncated")
    }
    return fail(last ? "failed authentication: the file is truncated or modified" : "failed authentication")
  }
}
