import type { Attributes } from "ssh2"
import { relabelLost } from "../connectionLost.js"
import type { OnReply, SftpError, SftpSend } from "../SftpConnection.js"
import { describeStatus, SFTP_NO_SUCH_FILE } from "../SftpStatus.js"
import { RestoreFailed } from "../../restore/RestoreFailed.js"
import { remotePath, skip, type TargetContext, timesOf } from "./TargetContext.js"
import { describeInPlace } from "./describeInPlace.js"

/** Bytes per write request: under OpenSSH's 256 KiB packet, so ssh2 never splits (and serializes) one. */
const PIECE_BYTES = 128 * 1024

export interface FileToUpload {
  /** The entry's normalized name, relative to the target. */
  readonly name: string
  readonly mode: number
  readonly mtime: number
  /** This restore created the parent directory (so the file needs no cleanup entry of its own). */
  readonly parentCreated: boolean
}

/**
 * One file written over SFTP, driven by callbacks so that many are in flight: opened exclusively
 * (O_CREAT|O_EXCL never follows a symlink), written with a request per piece without waiting for
 * answers, then mode and mtime set on the handle and closed. With overwrite, an existing regular
 * file is removed first; a symlink or directory in its place is never replaced or written through.
 * Refusals become warnings; a failed write or a lost connection fails the whole restore.
 */
export class FileUpload {
  private readonly remote: string
  private handle: Buffer | undefined
  private waiting: Array<Uint8Array> = []
  private position = 0
  private pending = 0
  private ended = false
  private dropped = false
  private settled = false

  constructor(private readonly context: TargetContext, private readonly file: FileToUpload) {
    this.remote = remotePath(context, file.name)
    context.window.fileStarted()
    if (context.overwrite) this.replaceExisting()
    else this.open()
  }

  write(bytes: Uint8Array): void {
    if (this.dropped) return
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
      const piece = bytes.subarray(at, at + PIECE_BYTES)
      this.context.window.hold(piece.length)
      if (this.handle === undefined) this.waiting.push(piece)
      else this.send(this.handle, piece)
    }
  }

  end(): void {
    this.ended = true
    if (this.handle !== undefined && !this.dropped) this.finish(this.handle)
    this.checkDone()
  }

  private request<A>(send: SftpSend<A>, onReply: OnReply<A>) {
    this.pending++
    this.context.connection.send<A>(send, (error, value) => {
      this.pending--
      onReply(error, value)
      this.checkDone()
    })
  }

  private replaceExisting() {
    this.request<Attributes>((sftp, done) => sftp.lstat(this.remote, done), (error, attrs) => {
      if (error?._tag === "SftpStatus" && error.code === SFTP_NO_SUCH_FILE) return this.open()
      if (error !== undefined) return this.refuse(error)
      const inPlace = describeInPlace(attrs!)
      if (inPlace !== "a file") return this.drop(`not replaced: ${inPlace} is in its place in the target`)
      this.request<void>((sftp, done) => sftp.unlink(this.remote, done), (removeError) =>
        removeError === undefined ? this.open() : this.refuse(removeError))
    })
  }

  private open() {
    this.request<Buffer>((sftp, done) => sftp.open(this.remote, "wx", { mode: 0o600 }, done), (error, handle) => {
      if (error !== undefined) return this.refuse(error)
      this.handle = handle!
      if (!this.file.parentCreated) this.context.created.push(this.remote)
      for (const piece of this.waiting) this.send(handle!, piece)
      this.waiting = []
      if (this.ended) this.finish(handle!)
    })
  }

  private send(handle: Buffer, piece: Uint8Array) {
    const position = this.position
    this.position += piece.length
    const buffer = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)
    this.request<number>((sftp, done) => sftp.write(handle, buffer, 0, buffer.length, position, done), (error) => {
      this.context.window.release(piece.length)
      if (error !== undefined) return this.fail(error, `writing at byte ${position}`)
      this.context.counters.bytesWritten += piece.length
    })
  }

  // Requests are answered in order, so these follow the writes without waiting for them.
  private finish(handle: Buffer) {
    const attrs = { mode: this.file.mode & 0o7777, ...timesOf(this.file.mtime) }
    this.request<void>((sftp, done) => sftp.fsetstat(handle, attrs, done), (error) => {
      if (error?._tag === "SftpStatus") this.context.warnings.push({ path: this.file.name, message: `mode and mtime not restored: ${describeStatus(error)}` })
      else if (error !== undefined) this.fail(error, "setting its mode")
    })
    this.request<void>((sftp, done) => sftp.close(handle, done), (error) => {
      if (error !== undefined) this.fail(error, "closing it")
    })
  }

  /** The server would not create the file: say why, checking whether something is already there. */
  private refuse(error: SftpError) {
    if (error._tag === "SourceFailed") return this.fail(error, "opening it")
    this.request<Attributes>((sftp, done) => sftp.lstat(this.remote, done), (lstatError, attrs) =>
      this.drop(
        lstatError === undefined
          ? `skipped: ${describeInPlace(attrs!)} exists in its place in the target (restore with --overwrite to replace a file)`
          : `skipped: ${describeStatus(error)}`
      ))
  }

  private fail(error: SftpError, doing: string) {
    const endpoint = this.context.connection.endpoint
    this.context.window.fail(
      error._tag === "SourceFailed"
        ? relabelLost(endpoint, () => `while restoring ${this.remote} (${doing})`)(error)
        : new RestoreFailed({ reason: "write_failed", message: `cannot write ${this.remote} on ${endpoint} (${doing}): ${describeStatus(error)}` })
    )
    this.drop()
  }

  private drop(warning?: string) {
    if (this.dropped) return
    this.dropped = true
    for (const piece of this.waiting) this.context.window.release(piece.length)
    this.waiting = []
    if (warning !== undefined) skip(this.context, this.file.name, warning)
  }

  private checkDone() {
    if (this.settled || !this.ended || this.pending > 0) return
    this.settled = true
    if (!this.dropped) this.context.counters.files++
    this.context.window.fileDone()
  }
}
