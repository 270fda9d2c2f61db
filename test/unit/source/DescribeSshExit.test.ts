import { describe, expect, it } from "vitest"
import type { ConnectContext } from "../../../src/worker/sftp/describeConnectError.js"
import { describeSshExit } from "../../../src/worker/sftp/openssh/describeSshExit.js"
import { sshArgs } from "../../../src/worker/sftp/openssh/sshArgs.js"

const context: ConnectContext = { endpoint: "db1:2222", username: "backup", method: "password", readyTimeoutMs: 20_000 }

// what OpenSSH 9.2 prints on stderr (LC_ALL=C), debug1 lines and all
const stderrOf = (...lines: Array<string>) => ["debug1: OpenSSH_9.2p1 Debian-2+deb12u10", ...lines, ""].join("\r\n")

describe("describeSshExit: ssh's last words as the ssh2 transport's SourceFailed", () => {
  it.each([
    ["ssh: connect to host db1 port 2222: Connection refused", "unreachable", "cannot reach db1:2222: connection refused"],
    ["ssh: connect to host db1 port 2222: No route to host", "unreachable", "cannot reach db1:2222: host unreachable"],
    ["ssh: connect to host db1 port 2222: Network is unreachable", "unreachable", "cannot reach db1:2222: network unreachable"],
    ["ssh: Could not resolve hostname db1: Name or service not known", "unreachable", "cannot reach db1:2222: host name not found"],
    ["ssh: Could not resolve hostname db1: Temporary failure in name resolution", "unreachable", "cannot reach db1:2222: host name lookup failed"],
    ["Connection timed out during banner exchange", "unreachable", "cannot reach db1:2222: no SSH handshake within 20000 ms"],
    ["kex_exchange_identification: Connection closed by remote host", "unreachable", "cannot reach db1:2222: connection closed before the SSH handshake"],
    ["kex_exchange_identification: read: Connection reset by peer", "unreachable", "cannot reach db1:2222: connection reset"],
    ["backup@db1: Permission denied (publickey,password).", "auth", "authentication failed for user backup at db1:2222 (password)"],
    ["subsystem request failed on channel 0", "protocol", "the server at db1:2222 did not open an SFTP session: the sftp subsystem was refused"],
    ["Unable to negotiate with db1 port 2222: no matching cipher found", "protocol", "SSH connection to db1:2222 failed: Unable to negotiate with db1 port 2222: no matching cipher found"]
  ])("%s", (line, reason, message) => {
    const error = describeSshExit(stderrOf("debug1: Connecting to db1 port 2222.", line), context)
    expect(error.reason).toBe(reason)
    expect(error.message).toBe(message)
  })

  it("a pin the server's key does not match is host_key_mismatch, naming both", () => {
    const mismatch = { expected: `SHA256:${"A".repeat(43)}`, presented: `SHA256:${"B".repeat(43)}` }
    const error = describeSshExit(stderrOf("Host key verification failed."), { ...context, mismatch })
    expect(error.reason).toBe("host_key_mismatch")
    expect(error.message).toBe(`host key mismatch for db1:2222: expected ${mismatch.expected}, server presented ${mismatch.presented}`)
  })

  it("an ssh that dies without a word lost the connection before the handshake", () => {
    expect(describeSshExit("", context).message).toBe("cannot reach db1:2222: connection closed before the SSH handshake")
  })
})

describe("sshArgs", () => {
  const args = sshArgs({
    host: "-oProxyCommand=evil",
    port: 2222,
    username: "backup",
    method: "private key",
    connectTimeoutMs: 1_500,
    keepaliveIntervalMs: 10_000,
    keepaliveCountMax: 3,
    files: { identityFile: "/tmp/xvault-ssh-x/identity", knownHostsCommand: "/bin/sh /tmp/xvault-ssh-x/known-host %f %t %K" }
  })

  it("ignores ssh configs, pins through the KnownHostsCommand and uses only the given key", () => {
    expect(args.slice(0, 2)).toEqual(["-F", "/dev/null"])
    for (const option of ["StrictHostKeyChecking=yes", "UserKnownHostsFile=/dev/null", "IdentitiesOnly=yes", "IdentityAgent=none",
      "IdentityFile=/tmp/xvault-ssh-x/identity", "PasswordAuthentication=no", "ConnectTimeout=2", "ServerAliveInterval=10",
      "ServerAliveCountMax=3", "KnownHostsCommand=/bin/sh /tmp/xvault-ssh-x/known-host %f %t %K"]) {
      expect(args).toContain(option)
    }
    expect(args.find((a) => a.startsWith("Ciphers="))).toMatch(/^Ciphers=aes128-gcm@openssh\.com,/)
  })

  it("a host name is never taken for an option", () => {
    expect(args.slice(-4)).toEqual(["-s", "--", "-oProxyCommand=evil", "sftp"])
  })
})
