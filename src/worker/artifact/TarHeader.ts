import { BLOCK_BYTES, FIELD, type Field, type HeaderBlock, USTAR_MAGIC, USTAR_VERSION } from "./TarFields.js"
import type { TarEntryMeta } from "./TarItem.js"

// One entry's header blocks in the POSIX pax format (ustar plus an 'x' extended header when a
// value does not fit), laid out as GNU tar --format=posix writes them.

export { BLOCK_BYTES } from "./TarFields.js"

const TYPEFLAG = { file: "0", directory: "5", symlink: "2" } as const
const encoder = new TextEncoder()

// Largest value of an octal field: all digits but the terminating NUL.
const fitsOctal = (value: number, width: number) => Number.isInteger(value) && value >= 0 && value < 8 ** (width - 1)

// ustar holds 100 bytes of name; anything longer, non-ASCII or with control characters goes to a pax record.
const fitsName = (s: string) => s.length <= 100 && /^[\x20-\x7e]*$/.test(s)

// Shortest round-trip decimal (no float noise); toFixed only where JS would use an exponent.
const decimalSeconds = (t: number) => (/e/i.test(String(t)) ? t.toFixed(9).replace(/\.?0+$/, "") : String(t))

interface UstarFields extends HeaderBlock {
  /** Device numbers written as zeros (GNU tar does so for entries, not for pax headers). */
  readonly devices: boolean
}

// ASCII (nearly every field) is its own UTF-8: written in place, without a buffer per field.
const put = (block: Uint8Array, [offset, width]: Field, text: string) => {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return block.set(encoder.encode(text).subarray(0, width), offset)
  }
  for (let i = 0, n = Math.min(text.length, width); i < n; i++) block[offset + i] = text.charCodeAt(i)
}

// A value that does not fit is carried by a pax record; the ustar field then holds 0.
const putOctal = (block: Uint8Array, field: Field, value: number) =>
  put(block, field, (fitsOctal(value, field[1]) ? value : 0).toString(8).padStart(field[1] - 1, "0") + "\0")

const ustar = (f: UstarFields): Uint8Array => {
  const block = new Uint8Array(BLOCK_BYTES)
  put(block, FIELD.name, f.name)
  putOctal(block, FIELD.mode, f.mode)
  putOctal(block, FIELD.uid, f.uid)
  putOctal(block, FIELD.gid, f.gid)
  putOctal(block, FIELD.size, f.size)
  putOctal(block, FIELD.mtime, f.mtime)
  put(block, FIELD.checksum, "        ")
  put(block, FIELD.typeflag, f.typeflag)
  put(block, FIELD.linkname, f.linkname)
  put(block, FIELD.magic, USTAR_MAGIC)
  put(block, FIELD.version, USTAR_VERSION)
  if (f.devices) {
    putOctal(block, FIELD.devmajor, 0)
    putOctal(block, FIELD.devminor, 0)
  }
  let checksum = 0
  for (let i = 0; i < BLOCK_BYTES; i++) checksum += block[i]!
  put(block, FIELD.checksum, checksum.toString(8).padStart(6, "0") + "\0 ")
  return block
}

// "%d %s=%s\n", where the length counts the whole record, its own digits included.
const paxRecord = (key: string, value: string): string => {
  const rest = Buffer.byteLength(` ${key}=${value}\n`)
  let length = rest + 1
  while (String(length).length + rest !== length) length = String(length).length + rest
  return `${length} ${key}=${value}\n`
}

// GNU's default extended header name, "%d/PaxHeaders/%f".
const paxHeaderName = (name: string) => {
  const trimmed = name.replace(/\/+$/, "")
  const slash = trimmed.lastIndexOf("/")
  return slash < 0 ? `./PaxHeaders/${trimmed}` : `${trimmed.slice(0, slash)}/PaxHeaders/${trimmed.slice(slash + 1)}`
}

/** The header block(s) of one entry: a pax extended header first when any value needs one. */
export const encodeHeader = (meta: TarEntryMeta): Uint8Array => {
  const name = meta.type === "directory" && !meta.name.endsWith("/") ? `${meta.name}/` : meta.name
  const linkname = meta.type === "symlink" ? (meta.linkname ?? "") : ""
  const size = meta.type === "file" ? meta.size : 0
  const mtime = Math.floor(meta.mtime)
  const records = [
    fitsName(name) ? "" : paxRecord("path", name),
    fitsName(linkname) ? "" : paxRecord("linkpath", linkname),
    fitsOctal(size, 12) ? "" : paxRecord("size", String(size)),
    fitsOctal(meta.mtime, 12) ? "" : paxRecord("mtime", decimalSeconds(meta.mtime)),
    fitsOctal(meta.uid, 8) ? "" : paxRecord("uid", String(meta.uid)),
    fitsOctal(meta.gid, 8) ? "" : paxRecord("gid", String(meta.gid))
  ].join("")
  const entry = ustar({
    name, mode: meta.mode & 0o7777, uid: meta.uid, gid: meta.gid, size, mtime,
    typeflag: TYPEFLAG[meta.type], linkname, devices: true
  })
  if (records === "") return entry
  const body = encoder.encode(records)
  const paxHeader = ustar({
    name: paxHeaderName(name), mode: 0o644, uid: 0, gid: 0, size: body.length, mtime,
    typeflag: "x", linkname: "", devices: false
  })
  const blocks = new Uint8Array(2 * BLOCK_BYTES + Math.ceil(body.length / BLOCK_BYTES) * BLOCK_BYTES)
  blocks.set(paxHeader)
  blocks.set(body, BLOCK_BYTES)
  blocks.set(entry, blocks.length - BLOCK_BYTES)
  return blocks
}
