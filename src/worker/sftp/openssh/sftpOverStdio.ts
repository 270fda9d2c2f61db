import { createRequire } from "node:module"
import type { Readable, Writable } from "node:stream"
import type { SFTPWrapper } from "ssh2"

interface Ssh2Sftp extends SFTPWrapper {
  _init(): void
  push(data: Buffer | null): void
  _isOpenSSH: boolean
  _maxReadLen: number
  _maxWriteLen: number
  _extensions: Record<string, string>
}

// ssh2's SFTP v3 client, as its Client uses it over a channel; not in ssh2's typings.
const { SFTP } = createRequire(import.meta.url)("ssh2/lib/protocol/SFTP.js") as {
  SFTP: new(client: unknown, chanInfo: unknown, cfg: object) => Ssh2Sftp
}

const OPENSSH = /^(?:OpenSSH|dropbear)/
// ssh2's own limits, for a server that does not answer limits@openssh.com
const OPENSSH_MAX_PKT_LEN = 256 * 1024
const PKT_RW_OVERHEAD = 2 * 1024

export interface StdioSftp {
  readonly sftp: SFTPWrapper
  /** The server's software version ("OpenSSH_9.2p1 …"), once ssh has printed it: OpenSSH swaps SYMLINK's arguments. */
  readonly setServerSoftware: (software: string) => void
}

/**
 * ssh2's SFTP client on a byte stream instead of an SSH channel: it "emulates enough of Channel" and
 * writes through `_protocol.channelData`. ssh does the SSH windowing, so ours is unbounded. Requests
 * still waiting when the stream ends are answered "No response from server"; then 'close' is emitted.
 */
export const sftpOverStdio = (input: Readable, output: Writable): StdioSftp => {
  const outgoing = { id: 0, state: "open", window: Number.POSITIVE_INFINITY, packetSize: Number.POSITIVE_INFINITY }
  const protocol = {
    _remoteIdentRaw: undefined,
    channelData: (_id: number, data: Buffer) => void output.write(data),
    channelClose: () => void output.end()
  }
  const sftp = new SFTP({ _protocol: protocol }, { type: "sftp", incoming: {}, outgoing }, {})
  // ssh gone: its exit says why, and every request is answered through push(null). An 'error' without
  // a listener would crash the worker; whoever waits on the session listens as well.
  output.on("error", () => {})
  sftp.on("error", () => {})
  input.on("data", (data: Buffer) => sftp.push(data))
  input.once("close", () => {
    outgoing.state = "closed"
    sftp.push(null)
    sftp.emit("close")
  })
  sftp._init()
  const setServerSoftware = (software: string) => {
    sftp._isOpenSSH = OPENSSH.test(software)
    if (sftp._isOpenSSH && sftp._extensions["limits@openssh.com"] === undefined) {
      sftp._maxReadLen = OPENSSH_MAX_PKT_LEN - PKT_RW_OVERHEAD
      sftp._maxWriteLen = OPENSSH_MAX_PKT_LEN - PKT_RW_OVERHEAD
    }
  }
  return { sftp, setServerSoftware }
}
