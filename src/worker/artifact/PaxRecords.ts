import { TarFormatError } from "./TarFormatError.js"

/** The pax values a restore uses; anything else (atime, ctime, vendor keys) is read and ignored. */
export interface PaxOverrides {
  path?: string
  linkpath?: string
  size?: number
  mtime?: number
  uid?: number
  gid?: number
}

const decoder = new TextDecoder("utf-8")

const integer = (value: string, key: string, where: string) => {
  if (!/^\d{1,16}$/.test(value)) throw new TarFormatError({ reason: `pax header ${where} has an invalid ${key} "${value.slice(0, 40)}"` })
  return Number(value)
}

const seconds = (value: string, where: string) => {
  if (!/^-?\d{1,16}(\.\d{0,9})?$/.test(value)) throw new TarFormatError({ reason: `pax header ${where} has an invalid mtime "${value.slice(0, 40)}"` })
  return Number(value)
}

/**
 * Parses "%d %s=%s\n" records (the length counts the whole record) into `into`. `where` names
 * the header for error messages, e.g. "at offset 1024".
 */
export const parsePaxRecords = (body: Uint8Array, where: string, into: PaxOverrides): void => {
  let at = 0
  while (at < body.length) {
    // GNU tar pads the body with NULs up to the block: the records end at the first one.
    if (body[at] === 0) return
    const space = body.indexOf(0x20, at)
    const digits = space < 0 ? "" : decoder.decode(body.subarray(at, space))
    const length = /^\d{1,7}$/.test(digits) ? Number(digits) : NaN
    if (!(length > digits.length + 1) || at + length > body.length || body[at + length - 1] !== 0x0a) {
      throw new TarFormatError({ reason: `pax header ${where} has a malformed record at byte ${at}` })
    }
    const record = decoder.decode(body.subarray(space + 1, at + length - 1))
    at += length
    const equals = record.indexOf("=")
    if (equals <= 0) throw new TarFormatError({ reason: `pax header ${where} has a record without a key` })
    const key = record.slice(0, equals)
    const value = record.slice(equals + 1)
    if (key === "path") into.path = value
    else if (key === "linkpath") into.linkpath = value
    else if (key === "size") into.size = integer(value, key, where)
    else if (key === "mtime") into.mtime = seconds(value, where)
    else if (key === "uid") into.uid = integer(value, key, where)
    else if (key === "gid") into.gid = integer(value, key, where)
  }
}
