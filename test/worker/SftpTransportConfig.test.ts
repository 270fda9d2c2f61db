import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { SftpTransportConfig } from "../../src/worker/sftp/SftpTransport.js"
import { runCli } from "../support/HubProcess.js"

describe("WORKER_SFTP_TRANSPORT", () => {
  it.effect("openssh is the default, ssh2 the other choice; anything else names the variable and the choices", () =>
    Effect.gen(function*() {
      const read = (env: Record<string, string>) =>
        Effect.either(Effect.withConfigProvider(SftpTransportConfig, ConfigProvider.fromMap(new Map(Object.entries(env)))))
      expect(yield* read({})).toMatchObject({ _tag: "Right", right: "openssh" })
      expect(yield* read({ WORKER_SFTP_TRANSPORT: "ssh2" })).toMatchObject({ _tag: "Right", right: "ssh2" })
      const wrong = yield* read({ WORKER_SFTP_TRANSPORT: "libssh" })
      expect(String(wrong._tag === "Left" ? wrong.left : "")).toMatch(/WORKER_SFTP_TRANSPORT must be one of: openssh, ssh2/)
    }))

  it("a worker with an unknown transport, or openssh without ssh on PATH, stops at start-up with 78", async () => {
    const unknown = await runCli(["worker", "run"], { env: { WORKER_SFTP_TRANSPORT: "libssh" } })
    expect(unknown.code).toBe(78)
    expect(unknown.stderr).toContain("WORKER_SFTP_TRANSPORT must be one of: openssh, ssh2")
    const noSsh = await runCli(["worker", "run"], { env: { WORKER_SFTP_TRANSPORT: "openssh", PATH: "/nonexistent" } })
    expect(noSsh.code).toBe(78)
    expect(noSsh.stderr).toContain("WORKER_SFTP_TRANSPORT=openssh needs OpenSSH's ssh client on PATH")
  }, 60_000)
})
