import { describeConnectError, noSftpSession, type ConnectContext } from "../describeConnectError.js"
import type { SourceFailed } from "../../source/SourceFailed.js"

// ssh's messages for what ssh2 reports as a socket error code or an error level; matched against its
// non-debug stderr lines (LC_ALL=C, so strerror texts are English).
const PROBLEMS: ReadonlyArray<readonly [RegExp, { readonly code?: string; readonly level?: string }]> = [
  [/Permission denied \(/, { level: "client-authentication" }],
  [/Connection refused/, { code: "ECONNREFUSED" }],
  [/Connection reset/, { code: "ECONNRESET" }],
  [/No route to host/, { code: "EHOSTUNREACH" }],
  [/Network is unreachable/, { code: "ENETUNREACH" }],
  [/Could not resolve hostname .*(Name or service not known|No address associated|not known)/, { code: "ENOTFOUND" }],
  [/Could not resolve hostname/, { code: "EAI_AGAIN" }],
  [/timed out during banner exchange|Connection timed out/, { level: "client-timeout" }]
]

/** What ssh printed on stderr, without its debug lines: the last few say why it stopped. */
export const sshComplaints = (stderr: string): ReadonlyArray<string> =>
  stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("debug"))

/**
 * Turns an `ssh` that exited before the SFTP session was ready into the SourceFailed the ssh2 transport
 * gives for the same problem. ssh never prints a password or key; the lines used here are its own.
 */
export const describeSshExit = (stderr: string, context: ConnectContext): SourceFailed => {
  const complaints = sshComplaints(stderr)
  const all = complaints.join("\n")
  if (/subsystem request failed/i.test(all)) return noSftpSession(context.endpoint, "the sftp subsystem was refused")
  for (const [pattern, fields] of PROBLEMS) {
    if (pattern.test(all)) return describeConnectError(Object.assign(new Error(all), fields), context)
  }
  if (/Connection closed by|kex_exchange_identification|Connection to \S+ closed/.test(all) || complaints.length === 0) {
    return describeConnectError(new Error("connection lost before handshake"), context)
  }
  return describeConnectError(new Error(complaints.at(-1) ?? "ssh exited"), context)
}
