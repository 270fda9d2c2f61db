import { DEFAULT_READY_TIMEOUT_MS } from "./sessionTimings.js"
import type { SftpTarget } from "./SftpTarget.js"
import { SourceFailed } from "../source/SourceFailed.js"

export interface ConnectContext {
  readonly endpoint: string
  readonly username: string
  readonly method: "password" | "private key"
  readonly readyTimeoutMs: number
  /** Set when the host verifier refused the server's key. */
  readonly mismatch?: { readonly expected: string; readonly presented: string } | undefined
}

/** What a connect error message names; `mismatch` is filled in by whoever checks the host key. */
export const connectContextOf = (target: SftpTarget): { -readonly [K in keyof ConnectContext]: ConnectContext[K] } => ({
  endpoint: `${target.host}:${target.port}`,
  username: target.username,
  method: target.credentials._tag === "password" ? "password" : "private key",
  readyTimeoutMs: target.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
})

type SshError = Error & { readonly level?: unknown; readonly code?: unknown }

const SOCKET_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out"
}

/** Turns what ssh2 reports while connecting into a SourceFailed whose message never holds a credential. */
export const describeConnectError = (error: SshError, context: ConnectContext): SourceFailed => {
  const { endpoint } = context
  if (context.mismatch !== undefined) {
    const { expected, presented } = context.mismatch
    return new SourceFailed({
      reason: "host_key_mismatch",
      message: `host key mismatch for ${endpoint}: expected ${expected}, server presented ${presented}`
    })
  }
  if (error.level === "client-authentication") {
    return new SourceFailed({
      reason: "auth",
      message: `authentication failed for user ${context.username} at ${endpoint} (${context.method})`
    })
  }
  if (error.level === "client-timeout") {
    return new SourceFailed({
      reason: "unreachable",
      message: `cannot reach ${endpoint}: no SSH handshake within ${context.readyTimeoutMs} ms`
    })
  }
  const problem = typeof error.code === "string" ? SOCKET_PROBLEMS[error.code] : undefined
  if (problem !== undefined) return new SourceFailed({ reason: "unreachable", message: `cannot reach ${endpoint}: ${problem}` })
  if (/before handshake/i.test(error.message)) {
    return new SourceFailed({ reason: "unreachable", message: `cannot reach ${endpoint}: connection closed before the SSH handshake` })
  }
  if (error.level === "client-socket") {
    return new SourceFailed({ reason: "unreachable", message: `cannot reach ${endpoint}: ${error.message}` })
  }
  return new SourceFailed({ reason: "protocol", message: `SSH connection to ${endpoint} failed: ${error.message}` })
}

export const noSftpSession = (endpoint: string, detail: string): SourceFailed =>
  new SourceFailed({ reason: "protocol", message: `the server at ${endpoint} did not open an SFTP session: ${detail}` })
