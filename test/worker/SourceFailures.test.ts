import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Redacted, Stream } from "effect"
import { openSftp } from "../../src/worker/sftp/openSftp.js"
import type { SourceWarning } from "../../src/worker/source/SourceOptions.js"
import { sourceItems } from "../../src/worker/sftp/sourceItems.js"
import { SFTP_TRANSPORTS, sftpTransportLayer } from "../support/SftpTransports.js"
import { startSshd } from "../support/Sshd.js"

const MiB = 1024 * 1024

describe.each(SFTP_TRANSPORTS)("over %s", (transport) => {
  layer(sftpTransportLayer(transport), { excludeTestServices: true })("sourceItems when things go wrong", (it) => {
    it.scoped("skips what the login user cannot read, with a warning each, and reads the rest", () =>
      Effect.gen(function*() {
        // The throwaway user owns root; files created here belong to the real root user.
        const server = yield* startSshd({ password: true })
        const dir = server.root
        fs.writeFileSync(path.join(dir, "a-readable.txt"), "fine")
        fs.writeFileSync(path.join(dir, "b-secret.txt"), "hidden", { mode: 0o000 })
        fs.writeFileSync(path.join(dir, "c-secret-large.bin"), randomBytes(2 * MiB), { mode: 0o000 })
        fs.mkdirSync(path.join(dir, "d-closed"), { mode: 0o000 })
        fs.writeFileSync(path.join(dir, "d-closed", "inside.txt"), "unreachable")
        fs.writeFileSync(path.join(dir, "e-readable.txt"), "also fine")
        for (const name of ["b-secret.txt", "c-secret-large.bin", "d-closed"]) fs.chmodSync(path.join(dir, name), 0o000)

        const connection = yield* openSftp({
          host: server.host,
          port: server.port,
          username: server.username,
          credentials: { _tag: "password", password: Redacted.make(server.password!) },
          hostKey: server.hostKeyFingerprint
        })
        const warnings: Array<SourceWarning> = []
        const items = yield* sourceItems(connection, { paths: [dir], onWarning: (w) => warnings.push(w) }).pipe(
          Stream.mapEffect((item) =>
            Stream.runCollect(item.content).pipe(
              Effect.map((chunks) => [`/${item.meta.name}`, Buffer.concat(Chunk.toArray(chunks)).toString()] as const)
            )
          ),
          Stream.runCollect,
          Effect.map(Chunk.toArray)
        )
        expect(items).toEqual([
          [dir, ""],
          [`${dir}/a-readable.txt`, "fine"],
          [`${dir}/d-closed`, ""], // the directory itself is archived, not its contents
          [`${dir}/e-readable.txt`, "also fine"]
        ])
        expect(warnings).toEqual([
          { path: `${dir}/b-secret.txt`, message: "skipped: permission denied" },
          { path: `${dir}/c-secret-large.bin`, message: "skipped: permission denied" },
          { path: `${dir}/d-closed`, message: "contents skipped: the directory cannot be listed (permission denied)" }
        ])
      }))

    it.scoped("sshd dying in the middle of a large file fails with connection_lost within seconds", () =>
      Effect.gen(function*() {
        const server = yield* startSshd()
        const file = path.join(server.root, "large.bin")
        fs.writeFileSync(file, randomBytes(64 * MiB))
        const connection = yield* openSftp({
          host: server.host,
          port: server.port,
          username: server.username,
          credentials: { _tag: "privateKey", privateKey: Redacted.make(server.privateKey) },
          hostKey: server.hostKeyFingerprint
        })
        let stoppedAt = 0
        const error = yield* sourceItems(connection, { paths: [server.root], onWarning: () => {} }).pipe(
          Stream.mapEffect((item) =>
            Stream.runForEach(item.content, () =>
              stoppedAt === 0 ? Effect.sync(() => (stoppedAt = Date.now())).pipe(Effect.zipRight(server.stop)) : Effect.void)
          ),
          Stream.runDrain,
          Effect.flip
        )
        expect(stoppedAt).toBeGreaterThan(0)
        expect(Date.now() - stoppedAt).toBeLessThan(5_000)
        expect(error.reason).toBe("connection_lost")
        expect(error.retryable).toBe(true)
        expect(error.message).toMatch(
          new RegExp(`^connection to 127\\.0\\.0\\.1:${server.port} was lost during the transfer \\(${file} at byte \\d+\\)$`)
        )
      }))
  })
})
