import type { SftpConnection, SftpError } from "./SftpConnection.js"

/**
 * Opens `path`, reads its first `size` bytes with every chunk requested at once, closes it, then calls
 * `onDone` once. A file that shrank gives a shorter buffer; bytes beyond `size` are never read.
 * Plain callbacks, no fibers: this runs for every small file, thousands of times a second.
 */
export const fetchWhole = (
  connection: SftpConnection,
  path: string,
  size: number,
  chunkSize: number,
  onDone: (error: SftpError | undefined, data?: Buffer) => void
): void =>
  connection.send<Buffer>((sftp, done) => sftp.open(path, "r", done), (openError, handle) => {
    if (openError !== undefined || handle === undefined) return onDone(openError)
    const buffer = Buffer.allocUnsafe(size)
    let outstanding = 0
    let failure: SftpError | undefined
    let end = size
    const finish = () => {
      // Not awaited: OpenSSH answers in order, and nothing depends on the close.
      connection.send<void>((sftp, done) => sftp.close(handle, done), () => {})
      if (failure !== undefined) onDone(failure)
      else onDone(undefined, end === size ? buffer : buffer.subarray(0, end))
    }
    const readRange = (from: number, to: number) => {
      outstanding++
      connection.send<number>(
        (sftp, done) => sftp.read(handle, buffer, from, to - from, from, (error, bytesRead) => done(error, bytesRead)),
        (error, bytesRead = 0) => {
          outstanding--
          if (error !== undefined) failure ??= error
          else if (bytesRead === 0) end = Math.min(end, from) // EOF: the file shrank
          else if (from + bytesRead < to) readRange(from + bytesRead, to) // short but not EOF: ask for the rest
          if (outstanding === 0) finish()
        }
      )
    }
    if (size === 0) return finish()
    for (let from = 0; from < size; from += chunkSize) readRange(from, Math.min(from + chunkSize, size))
  })
