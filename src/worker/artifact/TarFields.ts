// The ustar header block, field by field: the one list both the writer (TarHeader) and the
// reader (TarHeaderBlock) use. Offsets and widths in bytes, from POSIX pax / GNU tar.

export const BLOCK_BYTES = 512

export type Field = readonly [offset: number, width: number]

export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  /** "ustar\0" for POSIX ustar; old GNU headers hold "ustar  \0" over magic and version. */
  magic: [257, 6],
  version: [263, 2],
  devmajor: [329, 8],
  devminor: [337, 8],
  /** POSIX ustar only: the start of a name longer than the name field. */
  prefix: [345, 155]
} as const satisfies Record<string, Field>

/** The values of one header block, as written and as read (pax records may override them). */
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

export const USTAR_MAGIC = "ustar\0"
export const USTAR_VERSION = "00"

/** The header's bytes with its checksum field counted as spaces, as POSIX sums them. */
export const isChecksumByte = (i: number) => i >= FIELD.checksum[0] && i < FIELD.checksum[0] + FIELD.checksum[1]
