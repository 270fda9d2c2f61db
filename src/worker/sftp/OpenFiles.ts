import type { SftpConnection, SftpError } from "./SftpConnection.js"

/**
 * The handles of large files opened ahead of their reading. Each is closed when its content has been read,
 * or when the whole source stream ends, whichever comes first; one that opens after the end is closed at once.
 */
export class OpenFiles {
  private readonly handles = new Set<Buffer>()
  private ended = false

  constructor(private readonly connection: SftpConnection) {}

  open(path: string, onOpen: (error: SftpError | undefined, handle?: Buffer) => void): void {
    this.connection.send<Buffer>((sftp, done) => sftp.open(path, "r", done), (error, handle) => {
      if (handle !== undefined && error === undefined) {
        if (this.ended) return this.close(handle)
        this.handles.add(handle)
      }
      onOpen(error, handle)
    })
  }

  /** Closes `handle` if it is still open; safe to call twice. */
  release(handle: Buffer): void {
    if (this.handles.delete(handle)) this.close(handle)
  }

  closeAll(): void {
    this.ended = true
    for (const handle of this.handles) this.close(handle)
    this.handles.clear()
  }

  // Not awaited: OpenSSH answers in order, so a close never overtakes a read still in flight.
  private close(handle: Buffer) {
    this.connection.send<void>((sftp, done) => sftp.close(handle, done), () => {})
  }
}
