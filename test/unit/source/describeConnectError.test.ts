import { describe, expect, it } from "@effect/vitest"
import { describeConnectError, type ConnectContext } from "../../../src/worker/sftp/describeConnectError.js"

const context: ConnectContext = { endpoint: "10.0.0.5:22", username: "backup", method: "password", readyTimeoutMs: 20_000 }

const sshError = (message: string, fields: { level?: string; code?: string } = {}) => Object.assign(new Error(message), fields)

describe("describeConnectError", () => {
  it("maps socket errors to unreachable, which is retryable", () => {
    for (const [code, problem] of [["ECONNREFUSED", "connection refused"], ["EHOSTUNREACH", "host unreachable"], ["ENOTFOUND", "host name not found"], ["ETIMEDOUT", "connection timed out"]]) {
      const error = describeConnectError(sshError(`connect ${code}`, { level: "client-socket", code }), context)
      expect(error.reason).toBe("unreachable")
      expect(error.retryable).toBe(true)
      expect(error.message).toBe(`cannot reach 10.0.0.5:22: ${problem}`)
    }
  })

  it("maps a handshake timeout and an early close to unreachable", () => {
    expect(describeConnectError(sshError("Timed out while waiting for handshake", { level: "client-timeout" }), context).message)
      .toBe("cannot reach 10.0.0.5:22: no SSH handshake within 20000 ms")
    expect(describeConnectError(sshError("Connection lost before handshake", { level: "protocol" }), context).message)
      .toBe("cannot reach 10.0.0.5:22: connection closed before the SSH handshake")
  })

  it("maps rejected credentials to auth, which is not retryable", () => {
    const error = describeConnectError(sshError("All configured authentication methods failed", { level: "client-authentication" }), context)
    expect(error.reason).toBe("auth")
    expect(error.retryable).toBe(false)
    expect(error.message).toBe("authentication failed for user backup at 10.0.0.5:22 (password)")
  })

  it("reports a host key mismatch with both fingerprints, whatever ssh2 said", () => {
    const mismatch = { expected: "SHA256:aaa", presented: "SHA256:bbb" }
    const error = describeConnectError(sshError("Host denied (verification failed)", { level: "client-socket" }), { ...context, mismatch })
    expect(error.reason).toBe("host_key_mismatch")
    expect(error.retryable).toBe(false)
    expect(error.message).toBe("host key mismatch for 10.0.0.5:22: expected SHA256:aaa, server presented SHA256:bbb")
  })

  it("calls anything else a protocol error, which is retryable", () => {
    const error = describeConnectError(sshError("Handshake failed: no matching cipher"), context)
    expect(error.reason).toBe("protocol")
    expect(error.retryable).toBe(true)
    expect(error.message).toBe("SSH connection to 10.0.0.5:22 failed: Handshake failed: no matching cipher")
  })
})
