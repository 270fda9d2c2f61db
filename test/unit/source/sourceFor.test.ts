import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted, Schema } from "effect"
import { JobClaim } from "../../../src/shared/contract/Workers.js"
import { workFor } from "../../../src/worker/JobWork.js"
import { sourceFor, supportedKinds } from "../../../src/worker/source/sourceFor.js"
import { SourceKindUnsupported } from "../../../src/worker/source/SourceKindUnsupported.js"
import { localFsStoreAt } from "../../../src/worker/storage/LocalFsStore.js"

const ids = { tenantId: randomUUID(), sourceId: randomUUID(), snapshotId: randomUUID() }
const claimBase = () => ({
  jobId: randomUUID(),
  attempt: 1,
  maxAttempts: 3,
  lease: { id: randomUUID(), expiresAt: new Date(Date.now() + 60_000).toISOString() }
})
const sftpSpec = { kind: "sftp", host: "10.0.0.5", port: 22, username: "backup", credentials: { _tag: "password", password: "pw" }, hostKey: null }
/** A claim as a newer Hub could send it, for a kind this worker has never heard of. */
const localSpec = { kind: "local", root: "/mnt/data" }

const backupClaim = (spec: unknown) => ({
  type: "backup",
  ...claimBase(),
  snapshotId: ids.snapshotId,
  tenantId: ids.tenantId,
  recipients: ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"],
  tags: [],
  source: { id: ids.sourceId, spec, paths: ["/srv"], excludes: [] }
})
const decodeClaim = Schema.decodeUnknownEither(JobClaim)

const context = () => ({
  zstdLevel: 3,
  counters: { files: 0, dirs: 0, symlinks: 0, bytesRead: 0, bytesWritten: 0 },
  recordHostKey: () => Effect.void
})

describe("source kind dispatch", () => {
  it("a claim for an unknown kind still decodes (only its kind), so the worker can say what is wrong", () => {
    const claim = Either.getOrThrow(decodeClaim(backupClaim(localSpec)))
    expect(claim.type === "backup" && claim.source.spec).toEqual({ kind: "local" })
  })

  it("a malformed spec of a known kind is refused, not taken for an unknown kind", () => {
    const { host: _, ...withoutHost } = sftpSpec
    expect(Either.isLeft(decodeClaim(backupClaim(withoutHost)))).toBe(true)
    expect(Either.isRight(decodeClaim(backupClaim(sftpSpec)))).toBe(true)
  })

  it.effect("a known kind gets its implementation; the manifest describes it without credentials", () =>
    Effect.gen(function*() {
      const spec = { ...sftpSpec, credentials: { _tag: "password" as const, password: Redacted.make("pw") } } as const
      const source = yield* sourceFor(spec)
      expect(source.kind).toBe("sftp")
      expect(source.manifestFields).toEqual({ host: "10.0.0.5", port: 22, username: "backup" })
      expect(supportedKinds).toEqual(["sftp"])
    }))

  it.effect("an unknown kind is SourceKindUnsupported: it names the kind and what this worker supports, and is not retryable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(sourceFor({ kind: "local" }))
      expect(error).toBeInstanceOf(SourceKindUnsupported)
      expect(error._tag).toBe("SourceKindUnsupported")
      expect(error.message).toBe("this worker cannot reach a source of kind 'local' (it supports 'sftp'); upgrade the worker")
      expect(error.retryable).toBe(false)
    }))

  it.effect("a backup or restore claim for an unknown kind fails the job with that error and leaves nothing behind", () =>
    Effect.gen(function*() {
      const storageBase = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-kind-"))
      try {
        const backup = Either.getOrThrow(decodeClaim(backupClaim(localSpec)))
        const failed = yield* Effect.flip(workFor(backup, context()).run.pipe(Effect.provide(localFsStoreAt(storageBase))))
        expect(failed).toMatchObject({ _tag: "SourceKindUnsupported", kind: "local", retryable: false })

        const restore = Either.getOrThrow(decodeClaim({
          type: "restore",
          ...claimBase(),
          snapshot: { id: ids.snapshotId, tenantId: ids.tenantId, sourceId: ids.sourceId, locator: "x", sha256: "ab".repeat(32), sizeBytes: 1 },
          fileKey: Buffer.alloc(16).toString("base64"),
          includes: [],
          target: { _tag: "sftp", source: { id: ids.sourceId, spec: localSpec }, path: null, overwrite: false }
        }))
        const refused = yield* Effect.flip(workFor(restore, context()).run.pipe(Effect.provide(localFsStoreAt(storageBase))))
        expect(refused).toMatchObject({ _tag: "SourceKindUnsupported", kind: "local" })
        expect(fs.readdirSync(storageBase)).toEqual([])
      } finally {
        fs.rmSync(storageBase, { recursive: true, force: true })
      }
    }))
})
