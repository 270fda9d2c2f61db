import { Data } from "effect"

/** SFTP status codes (draft-ietf-secsh-filexfer-02); all but NO_CONNECTION and CONNECTION_LOST concern one request. */
export const SFTP_EOF = 1
export const SFTP_NO_SUCH_FILE = 2
export const SFTP_PERMISSION_DENIED = 3
export const SFTP_FAILURE = 4

/** The server refused one request about one path; the walk reports it and goes on. */
export class SftpStatus extends Data.TaggedError("SftpStatus")<{
  readonly code: number
  readonly message: string
}> {}

/** "no such file", "permission denied": the server's words, lower-cased for warnings. */
export const describeStatus = (status: SftpStatus): string => status.message.toLowerCase()
