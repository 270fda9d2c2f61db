import { BLOCK_BYTES, FIELD, type Field, type HeaderBlock, isChecksumByte, USTAR_MAGIC } from "./TarFields.js"
import { TarFormatError } from "./TarFormatError.js"

// Reads one 512-byte header block the way GNU tar does: ustar (with its prefix field), old GNU
// headers, octal numbers or GNU's base-256 for values that do not fit.

export { BLOCK_BYTES } from "./TarFields.js"

export type { HeaderBlock } from "./TarFields.js"

const decoder = new TextDecoder("utf-8")

const text = (block: Uint8Array, [start, width]: Field) => {
  const field = block.subarray(start, start + width)
  const nul = field.indexOf(0)
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul))
}

const number = (block: Uint8Array, [start, width]: Field, field: string, where: () => string): number => {
  if ((block[start]! & 0x80) !== 0) {
    if (block[start] !== 0x80) throw new TarFormatError({ reason: `tar header ${where()} has a negative ${field}` })
    let value = 0
    for (let i = start + 1; i < start + width; i++) value = value * 256 + block[i]!
    return value
  }
  const digits = text(block, [start, width]).trim()
  if (!/^[0-7]*$/.test(digits)) throw new TarFormatError({ reason: `tar header ${where()} has an invalid ${field} field` })
  return digits === "" ? 0 : parseInt(digits, 8)
}

export const isZeroBlock = (block: Uint8Array) => block.every((b) => b === 0)

// POSIX sums the header as unsigned bytes with the checksum field as spaces; old tars summed signed bytes.
const checksumMatches = (block: Uint8Array, stored: number) => {
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const b = isChecksumByte(i) ? 0x20 : block[i]!
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  return stored === unsigned || stored === signed
}

/** Decodes a non-zero header block; `where` describes its position for error messages. */
export const decodeHeaderBlock = (block: Uint8Array, where: () => string): HeaderBlock => {
  const stored = number(block, FIELD.checksum, "checksum", where)
  if (!checksumMatches(block, stored)) throw new TarFormatError({ reason: `tar header ${where()} has a bad checksum` })
  const name = text(block, FIELD.name)
  // POSIX ustar ("ustar\0") keeps the start of long names in a prefix field; old GNU headers do not have one.
  const [magicAt, magicWidth] = FIELD.magic
  const posix = decoder.decode(block.subarray(magicAt, magicAt + magicWidth)) === USTAR_MAGIC
  const prefix = posix ? text(block, FIELD.prefix) : ""
  return {
    name: prefix === "" ? name : `${prefix}/${name}`,
    mode: number(block, FIELD.mode, "mode", where) & 0o7777,
    uid: number(block, FIELD.uid, "uid", where),
    gid: number(block, FIELD.gid, "gid", where),
    size: number(block, FIELD.size, "size", where),
    mtime: number(block, FIELD.mtime, "mtime", where),
    typeflag: String.fromCharCode(block[FIELD.typeflag[0]]!),
    linkname: text(block, FIELD.linkname)
  }
}
