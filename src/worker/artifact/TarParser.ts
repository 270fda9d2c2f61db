import { Either } from "effect"
import { type PaxOverrides, parsePaxRecords } from "./PaxRecords.js"
import { BLOCK_BYTES, decodeHeaderBlock, type HeaderBlock, isZeroBlock } from "./TarHeaderBlock.js"
import { TarFormatError } from "./TarFormatError.js"

// A streaming tar reader: pax ('x', 'g'), GNU long names ('L', 'K'), ustar prefixes. Memory is
// one header block plus the extended header being read; contents go out as slices of the input.

/** One entry as the archive describes it, after any pax or GNU long-name header. */
export interface ReadEntry {
  readonly name: string
  /** "other": hard links, devices, FIFOs, GNU extensions: read past, never restored. */
  readonly type: "file" | "directory" | "symlink" | "other"
  readonly typeflag: string
  readonly size: number
  readonly mode: number
  /** Seconds since the epoch; fractional when a pax record says so. */
  readonly mtime: number
  readonly uid: number
  readonly gid: number
  readonly linkname: string
  /** Where the entry's first header block (pax or GNU header included) starts in the tar. */
  readonly offset: number
}

/** Entry, then (files only) its content in Data slices, then EntryEnd: for every entry, in order. */
export type TarPart =
  | { readonly _tag: "Entry"; readonly entry: ReadEntry }
  | { readonly _tag: "Data"; readonly bytes: Uint8Array }
  | { readonly _tag: "EntryEnd"; readonly entry: ReadEntry }

const MAX_EXTENDED_BYTES = 1024 * 1024

const padding = (size: number) => (BLOCK_BYTES - (size % BLOCK_BYTES)) % BLOCK_BYTES

const typeOf = (header: HeaderBlock): ReadEntry["type"] => {
  const { typeflag, name } = header
  if (typeflag === "5" || (typeflag === "\0" && name.endsWith("/"))) return "directory"
  if (typeflag === "0" || typeflag === "\0" || typeflag === "7") return "file"
  return typeflag === "2" ? "symlink" : "other"
}

type State =
  | { readonly _tag: "Header" }
  | { readonly _tag: "Extended"; readonly kind: string; readonly body: Uint8Array; filled: number }
  | { readonly _tag: "Content"; readonly entry: ReadEntry; left: number }
  | { readonly _tag: "Skip"; left: number }
  | { readonly _tag: "End" }

export class TarParser {
  private offset = 0
  private readonly block = new Uint8Array(BLOCK_BYTES)
  private blockFilled = 0
  private state: State = { _tag: "Header" }
  private zeroBlocks = 0
  private entryStart: number | undefined
  private previous: string | undefined
  private local: PaxOverrides & { longName?: string; longLink?: string } = {}
  private readonly global: PaxOverrides = {}

  private where(at: number) {
    return `at offset ${at} (${this.previous === undefined ? "the first entry" : `after entry "${this.previous}"`})`
  }

  /** The parts `input` completes; fails with TarFormatError naming the entry or offset. */
  push(input: Uint8Array): Either.Either<Array<TarPart>, TarFormatError> {
    const out: Array<TarPart> = []
    try {
      for (let at = 0; at < input.length;) at += this.step(input.subarray(at), out)
      return Either.right(out)
    } catch (e) {
      if (e instanceof TarFormatError) return Either.left(e)
      throw e
    }
  }

  /** Fails unless the input ended right after the end-of-archive blocks (or anything after them). */
  finish(): Either.Either<void, TarFormatError> {
    const s = this.state
    const reason = s._tag === "End"
      ? undefined
      : s._tag === "Content"
      ? `the tar ends inside the content of entry "${s.entry.name}" (offset ${this.offset})`
      : s._tag === "Header" && this.blockFilled === 0
      ? `the tar ends ${this.zeroBlocks === 1 ? "after one of its two" : "without its"} end-of-archive blocks ${this.where(this.offset)}`
      : `the tar ends inside a header ${this.where(this.entryStart ?? this.offset)}`
    return reason === undefined ? Either.void : Either.left(new TarFormatError({ reason: `truncated: ${reason}` }))
  }

  /** Consumes a prefix of `bytes`; returns its length. */
  private step(bytes: Uint8Array, out: Array<TarPart>): number {
    const s = this.state
    if (s._tag === "End") return this.advance(bytes.length)
    if (s._tag === "Skip") {
      const n = Math.min(s.left, bytes.length)
      s.left -= n
      if (s.left === 0) this.state = { _tag: "Header" }
      return this.advance(n)
    }
    if (s._tag === "Content") {
      const n = Math.min(s.left, bytes.length)
      if (n > 0) out.push({ _tag: "Data", bytes: bytes.subarray(0, n) })
      s.left -= n
      if (s.left === 0) this.endContent(s.entry, out)
      return this.advance(n)
    }
    if (s._tag === "Extended") {
      const n = Math.min(s.body.length - s.filled, bytes.length)
      s.body.set(bytes.subarray(0, n), s.filled)
      s.filled += n
      this.advance(n)
      if (s.filled === s.body.length) this.applyExtended(s.kind, s.body)
      return n
    }
    const n = Math.min(BLOCK_BYTES - this.blockFilled, bytes.length)
    this.block.set(bytes.subarray(0, n), this.blockFilled)
    this.blockFilled += n
    this.advance(n)
    if (this.blockFilled === BLOCK_BYTES) {
      this.blockFilled = 0
      this.header(this.offset - BLOCK_BYTES, out)
    }
    return n
  }

  private advance(n: number) {
    this.offset += n
    return n
  }

  private skip(n: number) {
    this.state = n === 0 ? { _tag: "Header" } : { _tag: "Skip", left: n }
  }

  private endContent(entry: ReadEntry, out: Array<TarPart>) {
    out.push({ _tag: "EntryEnd", entry })
    this.previous = entry.name
    this.skip(padding(entry.size))
  }

  private header(blockStart: number, out: Array<TarPart>) {
    if (isZeroBlock(this.block)) {
      if (this.entryStart !== undefined) throw new TarFormatError({ reason: `the entry at offset ${this.entryStart} has an extended header but no header ${this.where(blockStart)}` })
      if (++this.zeroBlocks === 2) this.state = { _tag: "End" }
      return
    }
    if (this.zeroBlocks > 0) throw new TarFormatError({ reason: `a lone zero block before the header ${this.where(blockStart)}` })
    const header = decodeHeaderBlock(this.block, () => this.where(blockStart))
    this.entryStart ??= blockStart
    if ("xgLK".includes(header.typeflag)) return this.startExtended(header, blockStart)
    const { local, global } = this
    const size = local.size ?? header.size
    const entry: ReadEntry = {
      name: local.path ?? local.longName ?? header.name,
      type: typeOf(header),
      typeflag: header.typeflag,
      size,
      mode: header.mode,
      // a global header's times and owners are defaults; its names and sizes would make no sense for every entry
      mtime: local.mtime ?? global.mtime ?? header.mtime,
      uid: local.uid ?? global.uid ?? header.uid,
      gid: local.gid ?? global.gid ?? header.gid,
      linkname: local.linkpath ?? local.longLink ?? header.linkname,
      offset: this.entryStart
    }
    this.local = {}
    this.entryStart = undefined
    out.push({ _tag: "Entry", entry })
    if (entry.type === "file" && size > 0) {
      this.state = { _tag: "Content", entry, left: size }
    } else {
      out.push({ _tag: "EntryEnd", entry })
      this.previous = entry.name
      this.skip(size + padding(size))
    }
  }

  private startExtended(header: HeaderBlock, at: number) {
    if (header.size > MAX_EXTENDED_BYTES) {
      throw new TarFormatError({ reason: `the extended header ${this.where(at)} is ${header.size} bytes, more than ${MAX_EXTENDED_BYTES}` })
    }
    if (header.size === 0) this.applyExtended(header.typeflag, new Uint8Array(0))
    else this.state = { _tag: "Extended", kind: header.typeflag, body: new Uint8Array(header.size), filled: 0 }
  }

  private applyExtended(kind: string, body: Uint8Array) {
    const where = this.where(this.entryStart ?? this.offset)
    if (kind === "x") parsePaxRecords(body, where, this.local)
    else if (kind === "g") parsePaxRecords(body, where, this.global)
    else {
      const nul = body.indexOf(0)
      const value = new TextDecoder().decode(nul < 0 ? body : body.subarray(0, nul))
      if (kind === "L") this.local.longName = value
      else this.local.longLink = value
    }
    // A global header stands alone: it is not the start of the next entry.
    if (kind === "g") this.entryStart = undefined
    this.skip(padding(body.length))
  }
}
