import { Channel, Chunk, Stream } from "effect"
import { BLOCK_BYTES, encodeHeader } from "./TarHeader.js"
import type { TarEntryMeta, TarItem } from "./TarItem.js"

// A POSIX pax tar stream, readable by GNU tar: each entry's header blocks, its content padded
// to 512 bytes, then two zero blocks. Entries are written one after another, as they come.

export { encodeHeader } from "./TarHeader.js"

export interface TarStreamOptions {
  /**
   * Called when a file's content is not `meta.size` bytes (it changed while being read). The
   * entry still holds exactly `expected` bytes: cut, or padded with zeros. On overflow the
   * writer stops reading at the first piece past `expected`, so `actual` is what it had read.
   */
  readonly onSizeMismatch?: (name: string, expected: number, actual: number) => void
}

const ZEROS = new Uint8Array(64 * 1024)
const ZERO_PIECES_PER_WRITE = 16
/** The two zero blocks that end a tar. */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK_BYTES)

/** Zero bytes that follow `size` bytes of content, up to the next block. */
export const contentPadding = (size: number) => (BLOCK_BYTES - (size % BLOCK_BYTES)) % BLOCK_BYTES

// At most 1 MiB per write, however much is missing: the stages downstream work chunk by chunk.
const writeZeros = (n: number): Channel.Channel<Chunk.Chunk<Uint8Array>> => {
  const pieces: Array<Uint8Array> = []
  let left = n
  for (; left > 0 && pieces.length < ZERO_PIECES_PER_WRITE; left -= ZEROS.length) pieces.push(ZEROS.subarray(0, Math.min(left, ZEROS.length)))
  const write = Channel.write(Chunk.unsafeFromArray(pieces))
  return left > 0 ? Channel.zipRight(write, Channel.suspend(() => writeZeros(left))) : write
}

// One channel per file rather than a chain of stream operators: with many small files the
// per-entry cost of each operator, not the bytes, is what bounds throughput.
const fileChannel = <E>(meta: TarEntryMeta, header: Uint8Array, options: TarStreamOptions) => {
  const { size } = meta
  let read = 0
  const finish = Channel.suspend(() => {
    if (read !== size) options.onSizeMismatch?.(meta.name, size, read)
    return writeZeros(Math.max(0, size - read) + contentPadding(size))
  })
  const body: Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E, E> = Channel.readWithCause({
    onInput: (chunk: Chunk.Chunk<Uint8Array>) => {
      const out: Array<Uint8Array> = []
      for (const bytes of chunk) {
        const before = read
        read += bytes.length
        if (before < size) out.push(read > size ? bytes.subarray(0, size - before) : bytes)
        // One piece past the size is enough to know the file grew: stop reading.
        if (read > size) return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), finish)
      }
      return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), body)
    },
    onFailure: Channel.failCause,
    onDone: () => finish
  })
  return Channel.zipRight(Channel.write(Chunk.of(header)), body)
}

/** Header, content and padding of an entry whose content is in memory, as one buffer. */
const inlineEntry = (meta: TarEntryMeta, data: Uint8Array, options: TarStreamOptions): Uint8Array => {
  const header = encodeHeader(meta)
  if (meta.type !== "file") return header
  if (data.length !== meta.size) options.onSizeMismatch?.(meta.name, meta.size, data.length)
  const padded = meta.size + contentPadding(meta.size)
  const out = Buffer.alloc(header.length + padded)
  out.set(header, 0)
  out.set(data.length > meta.size ? data.subarray(0, meta.size) : data, header.length)
  return out
}

const entry = <E>({ content, meta }: TarItem<E>, options: TarStreamOptions): Stream.Stream<Uint8Array, E> =>
  Stream.pipeThroughChannel(content, Channel.suspend(() => fileChannel<E>(meta, encodeHeader(meta), options)))

/**
 * The archive of `items`, in order. Directories and symlinks have no content: their content
 * stream is not run. A file's content is pulled only after its header is emitted, and is
 * closed before the next item is pulled.
 */
export const tarStream = <E, E2, R>(
  items: Stream.Stream<TarItem<E>, E2, R>,
  options: TarStreamOptions = {}
): Stream.Stream<Uint8Array, E | E2, R> =>
  items.pipe(
    Stream.chunks,
    Stream.flatMap((chunk) => entries(chunk, options)),
    Stream.concat(Stream.succeed(END_OF_ARCHIVE))
  )

/**
 * The entries of one batch of items: each run of entries already in memory becomes a single
 * buffer (thousands of small files cost one stream step per batch, not per file); a file whose
 * content is streamed gets its own channel.
 */
const entries = <E>(chunk: Chunk.Chunk<TarItem<E>>, options: TarStreamOptions): Stream.Stream<Uint8Array, E> => {
  const parts: Array<Stream.Stream<Uint8Array, E>> = []
  let inline: Array<Uint8Array> = []
  const flushInline = () => {
    if (inline.length > 0) parts.push(Stream.succeed(inline.length === 1 ? inline[0]! : Buffer.concat(inline)))
    inline = []
  }
  for (const item of chunk) {
    if (item.meta.type === "file" && item.data === undefined) {
      flushInline()
      parts.push(entry(item, options))
    } else {
      inline.push(inlineEntry(item.meta, item.data ?? new Uint8Array(0), options))
    }
  }
  flushInline()
  return parts.length === 1 ? parts[0]! : Stream.concatAll(Chunk.unsafeFromArray(parts))
}
