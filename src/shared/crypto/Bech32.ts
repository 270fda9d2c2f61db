import { bech32 } from "@scure/base"
import { Data, Either } from "effect"

// BIP-173 bech32 (not bech32m) from @scure/base. Like age, no 90-character limit: age secret
// keys and plugin recipients are longer, so every call passes `false` as the limit.

export class Bech32Invalid extends Data.TaggedError("Bech32Invalid")<{ readonly reason: string }> {
  override get message() {
    return `invalid bech32 string: ${this.reason}`
  }
}

export interface Bech32Decoded<D> {
  /** As written (upper or lower case); the checksum covers its lower-case form. */
  readonly hrp: string
  readonly data: D
}

// The library's messages quote the input, which may be an age secret key: only these fixed
// reasons leave this file.
const reasons: ReadonlyArray<readonly [RegExp, string]> = [
  [/checksum/i, "bad checksum"],
  [/mixed-case/i, "mixed case"],
  [/separator|prefix/i, "missing separator or bad human-readable part"],
  [/length/i, "too short for a checksum"],
  [/letter/i, "data part has a character outside the bech32 alphabet"],
  [/padding/i, "non-zero padding"]
]

const invalid = (error: unknown) => {
  const message = error instanceof Error ? error.message : ""
  return new Bech32Invalid({ reason: reasons.find(([pattern]) => pattern.test(message))?.[1] ?? "malformed" })
}

/** Encodes 5-bit words; the output has the case of `hrp`. */
export const encodeWords = (hrp: string, words: ReadonlyArray<number>): string => {
  if (hrp !== hrp.toLowerCase() && hrp !== hrp.toUpperCase()) throw new RangeError("bech32 HRP must not be mixed case")
  const s = bech32.encode(hrp, [...words], false)
  return hrp === hrp.toLowerCase() ? s : s.toUpperCase()
}

export const encode = (hrp: string, bytes: Uint8Array): string => encodeWords(hrp, bech32.toWords(bytes))

export const decodeWords = (s: string): Either.Either<Bech32Decoded<Array<number>>, Bech32Invalid> =>
  Either.try({
    // The library lower-cases the prefix; callers such as AgeKeys compare it as written.
    try: () => ({ hrp: s.slice(0, s.lastIndexOf("1")), data: bech32.decode(s as `${string}1${string}`, false).words }),
    catch: invalid
  })

export const decode = (s: string): Either.Either<Bech32Decoded<Uint8Array>, Bech32Invalid> =>
  Either.flatMap(decodeWords(s), ({ hrp, data }) =>
    Either.try({ try: () => ({ hrp, data: bech32.fromWords(data) }), catch: invalid })
  )
