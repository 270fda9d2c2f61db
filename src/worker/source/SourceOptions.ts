/** Something left out of the backup that does not fail it: an unreadable file, a socket, a file that vanished. */
export interface SourceWarning {
  readonly path: string
  readonly message: string
}

export interface SourceTuning {
  /** Bytes per SFTP read request. */
  readonly chunkSize: number
  /** Read requests kept in flight for one large file. */
  readonly requestsInFlight: number
  /** Files up to this size are read whole into memory, several at a time. */
  readonly smallFileMax: number
  /** Entries readied (small files read, links resolved, large files opened) ahead of the consumer. */
  readonly filesInFlight: number
  /** Bytes of small files held in memory ahead of the consumer. */
  readonly prefetchBytes: number
}

// Memory held: requestsInFlight x chunkSize (4 MiB) for the large file being read, plus prefetchBytes.
// 255 KiB is OpenSSH's largest read (limits@openssh.com; ssh2 reads it): ssh2 splits a larger read
// into requests one after the other, so one byte more would halve the pipelining.
export const DEFAULT_TUNING: SourceTuning = {
  chunkSize: 255 * 1024,
  requestsInFlight: 16,
  smallFileMax: 1024 * 1024,
  filesInFlight: 32,
  prefetchBytes: 16 * 1024 * 1024
}

export interface SourceOptions {
  /** Absolute paths to back up; nested or repeated ones are walked once. */
  readonly paths: ReadonlyArray<string>
  /** Globs: without '/' they match an entry's name, with '/' its absolute path; `**` crosses directories. */
  readonly excludes?: ReadonlyArray<string> | undefined
  /** Called in walk order, as the stream reaches the entry concerned. */
  readonly onWarning: (warning: SourceWarning) => void
  /** Called with every batch of content bytes received, for progress. */
  readonly onBytesRead?: ((bytes: number) => void) | undefined
  readonly tuning?: Partial<SourceTuning> | undefined
}
