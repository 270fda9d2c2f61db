import { Data, Either } from "effect"

// BIP-173 bech32 (not bech32m). Like age, no 90-character limit: age secret keys
// and plugin recipients are longer.

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

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]

const polymod = (values: ReadonlyArray<number>): number => {
  let chk = 1
  for (const v of values) {
    const top = chk >>> 25
    chk = ((chk & 0x1ffffff) << 5) ^ v
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i]!
  }
  return chk
}

const hrpExpand = (hrp: string): Array<number> => {
  const codes = Array.from(hrp, (c) => c.charCodeAt(0))
  return [...codes.map((c) => c >>> 5), 0, ...codes.map((c) => c & 31)]
}

const checksum = (hrp: string, words: ReadonlyArray<number>): Array<number> => {
  const mod = polymod([...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1
  return Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31)
}

const convertBits = (
  data: ReadonlyArray<number>,
  from: number,
  to: number,
  pad: boolean
): Either.Either<Array<number>, Bech32Invalid> => {
  let acc = 0
  let bits = 0
  const out: Array<number> = []
  const maxv = (1 << to) - 1
  for (const value of data) {
    acc = (acc << from) | value
    bits += from
    while (bits >= to) {
      bits -= to
      out.push((acc >>> bits) & maxv)
    }
    acc &= (1 << bits) - 1
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv)
  } else if (bits >= from || acc !== 0) {
    return Either.left(new Bech32Invalid({ reason: "non-zero padding" }))
  }
  return Either.right(out)
}

const checkHrp = (hrp: string): void => {
  if (hrp.length < 1) throw new RangeError("bech32 HRP must not be empty")
  if (hrp !== hrp.toLowerCase() && hrp !== hrp.toUpperCase()) throw new RangeError("bech32 HRP must not be mixed case")
  for (const c of hrp) {
    const code = c.charCodeAt(0)
    if (code < 33 || code > 126) throw new RangeError("bech32 HRP has a character outside US-ASCII 33..126")
  }
}

/** Encodes 5-bit words; the output has the case of `hrp`. */
export const encodeWords = (hrp: string, words: ReadonlyArray<number>): string => {
  checkHrp(hrp)
  const lower = hrp.toLowerCase()
  const body = [...words, ...checksum(lower, words)].map((w) => CHARSET[w]!).join("")
  const s = `${lower}1${body}`
  return hrp === lower ? s : s.toUpperCase()
}

export const encode = (hrp: string, bytes: Uint8Array): string =>
  encodeWords(hrp, Either.getOrThrow(convertBits(Array.from(bytes), 8, 5, true)))

export const decodeWords = (s: string): Either.Either<Bech32Decoded<Array<number>>, Bech32Invalid> => {
  const fail = (reason: string) => Either.left(new Bech32Invalid({ reason }))
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) return fail("mixed case")
  const sep = s.lastIndexOf("1")
  if (sep < 1) return fail("missing separator or empty human-readable part")
  if (s.length - sep - 1 < 6) return fail("too short for a checksum")
  const hrp = s.slice(0, sep)
  for (const c of hrp) {
    const code = c.charCodeAt(0)
    if (code < 33 || code > 126) return fail("human-readable part has a character outside US-ASCII 33..126")
  }
  const words: Array<number> = []
  for (const c of s.slice(sep + 1).toLowerCase()) {
    const w = CHARSET.indexOf(c)
    if (w === -1) return fail("data part has a character outside the bech32 alphabet")
    words.push(w)
  }
  if (polymod([...hrpExpand(hrp.toLowerCase()), ...words]) !== 1) return fail("bad checksum")
  return Either.right({ hrp, data: words.slice(0, -6) })
}

export const decode = (s: string): Either.Either<Bech32Decoded<Uint8Array>, Bech32Invalid> =>
  Either.flatMap(decodeWords(s), ({ hrp, data }) =>
    Either.map(convertBits(data, 5, 8, false), (bytes) => ({ hrp, data: Uint8Array.from(bytes) }))
  )
