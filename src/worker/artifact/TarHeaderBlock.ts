import { TarFormatError } from "./TarFormatError.js"

// Reads one 512-byte header block the way GNU tar does: ustar (with its prefix field), old GNU
// headers, octal numbers or GNU's base-256 for values that do not fit.

export const BLOCK_BYTES = 512

export interface HeaderBlock {
  readonly name: string
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly size: number
  readonly mtime: number
  readonly typeflag: string
  readonly linkname: string
}

const decoder = new TextDecoder("utf-8")

const text = (block: Uint8Array, start: number, width: number) => {
  const field = block.subarray(start, start + width)
  const nul = field.indexOf(0)
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul))
}

const number = (block: Uint8Array, start: number, width: number, field: string, where: () => string): number => {
  if ((block[start]! & 0x80) !== 0) {
    if (block[start] !== 0x80) throw new TarFormatError({ reason: `tar header ${where()} has a negative ${field}` })
    let value = 0
    for (let i = start + 1; i < start + width; i++) value = value * 256 + block[i]!
    return value
  }
  const digits = text(block, start, width).trim()
  if (!/^[0-7]*$/.test(digits)) throw new TarFormatError({ reason: `tar header ${where()} has an invalid ${field} field` })
  return digits === "" ? 0 : parseInt(digits, 8)
}

export const isZeroBlock = (block: Uint8Array) => block.every((b) => b === 0)

// POSIX sums the header as unsigned bytes with the checksum field as spaces; old tars summed signed bytes.
const checksumMatches = (block: Uint8Array, stored: number) => {
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  return stored === unsigned || stored === signed
}

/** Decodes a non-zero header block; `where` describes its position for error messages. */
export const decodeHeaderBlock = (block: Uint8Array, where: () => string): HeaderBlock => {
  const stored = number(block, 148, 8, "checksum", where)
  if (!checksumMatches(block, stored)) throw new TarFormatError({ reason: `tar header ${where()} has a bad checksum` })
  const name = text(block, 0, 100)
  // POSIX ustar ("ustar\0") keeps the start of long names in a prefix field; old GNU headers do not have one.
  const prefix = text(block, 257, 6) === "ustar" && block[262] === 0 ? text(block, 345, 155) : ""
  return {
    name: prefix === "" ? name : `${prefix}/${name}`,
    mode: number(block, 100, 8, "mode", where) & 0o7777,
    uid: number(block, 108, 8, "uid", where),
    gid: number(block, 116, 8, "gid", where),
    size: number(block, 124, 12, "size", where),
    mtime: number(block, 136, 12, "mtime", where),
    typeflag: String.fromCharCode(block[156]!),
    linkname: text(block, 157, 100)
  }
}
