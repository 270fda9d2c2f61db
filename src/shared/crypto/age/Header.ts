import { Either } from "effect"
import { timingSafeEqual } from "node:crypto"
import { AgeError } from "./AgeError.js"
import { fromBase64, hkdf, hmacSha256, toBase64 } from "./Primitives.js"

// The textual header of an age v1 file (c2sp.org/age, "Header").

export const VERSION_LINE = "age-encryption.org/v1"
const COLUMNS = 64
const MAC_BYTES = 32

export interface AgeStanza {
  /** All arguments of the "-> " line; the first names the recipient type ("X25519"). */
  readonly args: ReadonlyArray<string>
  readonly body: Uint8Array
}

export interface AgeHeader {
  readonly stanzas: ReadonlyArray<AgeStanza>
  readonly mac: Uint8Array
  /** The whole header, final line feed included: the payload starts right after it. */
  readonly text: string
}

const formatStanza = ({ args, body }: AgeStanza): string => {
  const encoded = toBase64(body)
  const lines: Array<string> = []
  for (let i = 0; i < encoded.length; i += COLUMNS) lines.push(encoded.slice(i, i + COLUMNS))
  // The body ends at the first line shorter than 64 columns, so a full last line needs an empty one.
  if (lines.length === 0 || lines[lines.length - 1]!.length === COLUMNS) lines.push("")
  return `-> ${args.join(" ")}\n${lines.join("\n")}\n`
}

const macOf = (fileKey: Uint8Array, upToDashes: string): Buffer =>
  hmacSha256(hkdf(fileKey, new Uint8Array(0), "header"), upToDashes)

export const formatHeader = (stanzas: ReadonlyArray<AgeStanza>, fileKey: Uint8Array): string => {
  const upToDashes = `${VERSION_LINE}\n${stanzas.map(formatStanza).join("")}---`
  return `${upToDashes} ${toBase64(macOf(fileKey, upToDashes))}\n`
}

export const verifyHeaderMac = (header: AgeHeader, fileKey: Uint8Array): boolean => {
  const upToDashes = header.text.slice(0, header.text.lastIndexOf("\n---") + 4)
  return timingSafeEqual(macOf(fileKey, upToDashes), header.mac)
}

/** The byte length of the header at the start of `bytes`, once its MAC line is complete. */
export const headerLength = (bytes: Uint8Array): number | undefined => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const macLine = buffer.indexOf("\n--- ")
  if (macLine < 0) return undefined
  const end = buffer.indexOf(0x0a, macLine + 1)
  return end < 0 ? undefined : end + 1
}

const ARGUMENT = /^[\x21-\x7e]+$/
const fail = (reason: string) => Either.left(new AgeError({ reason: `invalid age header: ${reason}` }))

/**
 * Parses the header at the start of `input` (a whole file may follow it). Checks the syntax
 * only: the MAC needs the file key (verifyHeaderMac, or unwrapFileKey which calls it).
 */
export const parseAgeHeader = (input: string | Uint8Array): Either.Either<AgeHeader, AgeError> => {
  // latin1 keeps one character per byte, so text offsets are byte offsets.
  const text = typeof input === "string" ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1")
  let pos = 0
  const nextLine = (): string | undefined => {
    const end = text.indexOf("\n", pos)
    if (end < 0) return undefined
    const line = text.slice(pos, end)
    pos = end + 1
    return line
  }
  const version = nextLine()
  if (version === undefined || !version.startsWith("age-encryption.org/")) return fail("not an age file (no age-encryption.org/v1 line)")
  if (version !== VERSION_LINE) return fail(`unsupported version line "${version.slice(0, 40)}"`)
  const stanzas: Array<AgeStanza> = []
  for (;;) {
    const line = nextLine()
    if (line === undefined) return fail("truncated before the MAC line")
    if (line.startsWith("--- ")) {
      const mac = fromBase64(line.slice(4))
      if (mac === undefined || mac.length !== MAC_BYTES) return fail("the MAC line does not hold a 32-byte base64 MAC")
      if (stanzas.length === 0) return fail("no recipient stanza")
      return Either.right({ stanzas, mac, text: text.slice(0, pos) })
    }
    if (!line.startsWith("-> ")) return fail(`unexpected line ${JSON.stringify(line.slice(0, 40))}`)
    const args = line.slice(3).split(" ")
    if (!args.every((arg) => ARGUMENT.test(arg))) return fail(`stanza ${stanzas.length + 1} has an empty or non-ASCII argument`)
    let encoded = ""
    for (;;) {
      const bodyLine = nextLine()
      if (bodyLine === undefined) return fail(`stanza ${stanzas.length + 1} is truncated`)
      if (bodyLine.length > COLUMNS) return fail(`stanza ${stanzas.length + 1} has a body line longer than 64 columns`)
      encoded += bodyLine
      if (bodyLine.length < COLUMNS) break
    }
    const body = fromBase64(encoded)
    if (body === undefined) return fail(`stanza ${stanzas.length + 1} has a body that is not canonical unpadded base64`)
    stanzas.push({ args, body })
  }
}
