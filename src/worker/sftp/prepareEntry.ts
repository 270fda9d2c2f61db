import { Effect, Stream } from "effect"
import type { ContentReader, TarEntryMeta, TarItem } from "../artifact/TarItem.js"
import { relabelLost } from "./connectionLost.js"
import { fetchWhole } from "./fetchWhole.js"
import type { OpenFiles } from "./OpenFiles.js"
import { readChunks } from "./readChunks.js"
import { Reply } from "./Reply.js"
import type { SftpConnection, SftpError } from "./SftpConnection.js"
import { describeStatus, SFTP_NO_SUCH_FILE, type SftpStatus } from "./SftpStatus.js"
import type { SourceEntry, WalkedEntry } from "./SourceEntry.js"
import type { SourceFailed } from "../source/SourceFailed.js"
import type { SourceTuning, SourceWarning } from "../source/SourceOptions.js"

export interface PrepareContext {
  readonly connection: SftpConnection
  readonly tuning: SourceTuning
  readonly openFiles: OpenFiles
  readonly onWarning: (warning: SourceWarning) => void
  readonly onBytesRead: (bytes: number) => void
}

/** An entry ready for the archive, or left out; the warning is reported when the entry's turn comes. */
export interface Prepared {
  readonly item?: TarItem<SourceFailed>
  readonly warning?: string
}

export const metaOf = (entry: SourceEntry, linkname?: string): TarEntryMeta => ({
  name: entry.path.slice(1),
  type: entry.type,
  size: entry.type === "file" ? entry.attrs.size : 0,
  mode: entry.attrs.mode & 0o7777,
  mtime: entry.attrs.mtime,
  uid: entry.attrs.uid,
  gid: entry.attrs.gid,
  ...(linkname === undefined ? {} : { linkname })
})

const unreadable = (status: SftpStatus) =>
  status.code === SFTP_NO_SUCH_FILE ? "skipped: it vanished before it could be read" : `skipped: ${describeStatus(status)}`

const shrank = (read: number, size: number) => `file shrank while being read: ${read} of ${size} bytes archived`

const largeContent = (entry: SourceEntry, handle: Buffer, context: PrepareContext): Stream.Stream<Uint8Array, SourceFailed> => {
  const { connection, tuning } = context
  const size = entry.attrs.size
  const warn = (message: string) => Effect.sync(() => context.onWarning({ path: entry.path, message }))
  let delivered = 0
  return readChunks(connection, handle, size, tuning).pipe(
    Stream.tap((chunk) =>
      Effect.sync(() => {
        delivered += chunk.length
        context.onBytesRead(chunk.length)
      })
    ),
    Stream.concat(Stream.execute(Effect.suspend(() => (delivered < size ? warn(shrank(delivered, size)) : Effect.void)))),
    // The entry is already in the archive: a read refused halfway leaves it short (the tar writer pads).
    Stream.catchTag("SftpStatus", (status) => Stream.execute(warn(`read stopped at byte ${delivered}: ${describeStatus(status)}`))),
    Stream.mapError(relabelLost(connection.endpoint, () => `during the transfer (${entry.path} at byte ${delivered})`)),
    Stream.ensuring(Effect.sync(() => context.openFiles.release(handle)))
  )
}

/** The same reads and reports as largeContent, straight into the archive's buffers. */
const largeReader = (entry: SourceEntry, handle: Buffer, context: PrepareContext): ContentReader<SourceFailed> => {
  const { connection, tuning } = context
  const size = entry.attrs.size
  return {
    chunkBytes: tuning.chunkSize,
    readsInFlight: tuning.requestsInFlight,
    read: (target, position, done) =>
      connection.send<number>(
        (sftp, reply) => sftp.read(handle, target, 0, target.length, position, (error, bytesRead) => reply(error, bytesRead)),
        (error, bytes = 0) => {
          if (error === undefined) {
            context.onBytesRead(bytes)
            return done({ bytes })
          }
          if (error._tag === "SftpStatus") return done({ stop: describeStatus(error) })
          done({ error: relabelLost(connection.endpoint, () => `during the transfer (${entry.path} at byte ${position})`)(error) })
        }
      ),
    finish: (archived, stopped) => {
      context.openFiles.release(handle)
      if (stopped !== undefined) context.onWarning({ path: entry.path, message: `read stopped at byte ${archived}: ${stopped}` })
      else if (archived < size) context.onWarning({ path: entry.path, message: shrank(archived, size) })
    }
  }
}

/**
 * Starts readying one walk entry and returns at once, so that many are in flight: small files are read
 * whole, large ones opened (their content is read as the consumer pulls it), links resolved. Entries that
 * cannot be read are left out with a warning; only a lost connection fails the reply.
 */
export const prepareEntry = (entry: WalkedEntry, context: PrepareContext): Reply<Prepared, SourceFailed> => {
  const { connection, tuning } = context
  const reply = new Reply<Prepared, SourceFailed>()
  if (entry.type === "skipped") {
    reply.settle(undefined, { warning: entry.warning })
    return reply
  }
  const ready = (prepared: Prepared) => reply.settle(undefined, prepared)
  const failed = (error: SftpError, doing: string) =>
    error._tag === "SftpStatus"
      ? ready({ warning: unreadable(error) })
      : reply.settle(relabelLost(connection.endpoint, () => doing)(error))

  const meta = metaOf(entry)
  if (entry.type === "directory") {
    const item = { meta, content: Stream.empty }
    ready(entry.warning === undefined ? { item } : { item, warning: entry.warning })
  } else if (entry.type === "symlink") {
    connection.send<string>((sftp, done) => sftp.readlink(entry.path, done), (error, target = "") =>
      error !== undefined
        ? failed(error, `while reading the link ${entry.path}`)
        : ready({ item: { meta: metaOf(entry, target), content: Stream.empty } }))
  } else if (meta.size <= tuning.smallFileMax) {
    fetchWhole(connection, entry.path, meta.size, tuning.chunkSize, (error, data = Buffer.alloc(0)) => {
      if (error !== undefined) return failed(error, `during the transfer (${entry.path})`)
      context.onBytesRead(data.length)
      const item = { meta, content: Stream.succeed(data), data }
      ready(data.length < meta.size ? { item, warning: shrank(data.length, meta.size) } : { item })
    })
  } else {
    context.openFiles.open(entry.path, (error, handle) =>
      error !== undefined
        ? failed(error, `while opening ${entry.path}`)
        : ready({ item: { meta, content: largeContent(entry, handle!, context), reader: largeReader(entry, handle!, context) } }))
  }
  return reply
}
