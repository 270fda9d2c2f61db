import type { SftpConnection } from "../SftpConnection.js"
import type { Counters, RestoreWarning } from "../../restore/SnapshotToRead.js"
import type { UploadWindow } from "./UploadWindow.js"

/** What every part of one SFTP restore shares. */
export interface TargetContext {
  readonly connection: SftpConnection
  /** Absolute path of the target directory on the server. */
  readonly root: string
  readonly overwrite: boolean
  readonly window: UploadWindow
  readonly counters: Counters
  readonly warnings: Array<RestoreWarning>
  /**
   * Paths this restore created whose parent it did not create: removing them (recursively)
   * removes everything it wrote, should it fail.
   */
  readonly created: Array<string>
  /** Entries not restored because of the target (exists, refused) or the archive (unsafe names). */
  readonly skipped: { count: number }
}

/** The server path of an entry's normalized name ("" is the root itself). */
export const remotePath = (context: TargetContext, name: string) =>
  name === "" ? context.root : context.root === "/" ? `/${name}` : `${context.root}/${name}`

export const skip = (context: TargetContext, path: string, message: string) => {
  context.skipped.count++
  context.warnings.push({ path, message })
}

/** SFTP v3 times are whole seconds in 32 bits: a time outside that range is left to the server. */
export const timesOf = (mtime: number) => {
  const seconds = Math.floor(mtime)
  return seconds >= 0 && seconds < 2 ** 32 ? { atime: seconds, mtime: seconds } : {}
}
