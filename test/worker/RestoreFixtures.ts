import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Chunk, DateTime, Effect, Either, Redacted, Stream } from "effect"
import { unwrapFileKey } from "../../src/shared/crypto/age/Age.js"
import { ageEncryptor } from "../../src/worker/artifact/AgeStream.js"
import { type AgeIdentity, generateAgeIdentity } from "../../src/shared/crypto/AgeKeys.js"
import type { BackupClaim } from "../../src/shared/contract/Workers.js"
import { tarStream } from "../../src/worker/artifact/PaxTar.js"
import type { TarEntryMeta, TarItem } from "../../src/worker/artifact/TarItem.js"
import { zstdFrames } from "../../src/worker/artifact/ZstdFrames.js"
import { runBackup } from "../../src/worker/backup/BackupRun.js"
import type { Counters, SnapshotToRead } from "../../src/worker/restore/SnapshotToRead.js"
import type { SftpTarget } from "../../src/worker/sftp/SftpTarget.js"
import { writeAtomically } from "../../src/worker/storage/AtomicFile.js"
import { artifactLocator } from "../../src/shared/storage/Locators.js"
import { localFsStoreAt } from "../../src/worker/storage/LocalFsStore.js"
import type { SshdServer } from "../support/Sshd.js"

// Artifacts for restore and verify tests: real backups of a tree on the test sshd, and crafted
// ones written with the project's own tar, zstd and age writers.

export interface Artifact {
  readonly snapshot: SnapshotToRead
  readonly fileKey: Uint8Array
  readonly file: string
}

export const zeroCounters = (): Counters => ({ files: 0, dirs: 0, symlinks: 0, bytesRead: 0, bytesWritten: 0 })

export const tempDir = (prefix: string) => fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), prefix))

export const targetOf = (server: SshdServer, overrides: Partial<SftpTarget> = {}): SftpTarget => ({
  host: server.host,
  port: server.port,
  username: server.username,
  credentials: { _tag: "privateKey", privateKey: Redacted.make(server.privateKey) },
  hostKey: server.hostKeyFingerprint,
  ...overrides
})

/** Runs a restore, verify or backup against a LocalFsStore on `storageBase`. */
export const inStore = (storageBase: string) => Effect.provide(localFsStoreAt(storageBase))

const fileKeyOf = (header: string, identity: AgeIdentity) =>
  Either.getOrThrow(unwrapFileKey(header, identity.secretKey))

/** Backs up `root` on the test sshd with the real pipeline into `storageBase`, as a worker would. */
export const backUp = (server: SshdServer, root: string, storageBase: string) =>
  Effect.gen(function*() {
    const identity = generateAgeIdentity()
    const ids = { snapshotId: randomUUID(), tenantId: randomUUID(), sourceId: randomUUID() }
    const claim = {
      type: "backup",
      jobId: randomUUID(),
      attempt: 1,
      maxAttempts: 1,
      lease: { id: randomUUID(), expiresAt: DateTime.unsafeMake(Date.now() + 600_000) },
      snapshotId: ids.snapshotId,
      tenantId: ids.tenantId,
      recipients: [identity.publicKey],
      tags: [],
      source: { id: ids.sourceId, spec: { kind: "sftp", ...targetOf(server) }, paths: [root], excludes: [] }
    } as unknown as BackupClaim
    const done = yield* runBackup(claim, {
      zstdLevel: 3,
      counters: zeroCounters(),
      warnings: [],
      recordHostKey: () => Effect.void
    }).pipe(inStore(storageBase))
    const snapshot: SnapshotToRead = { ...ids, locator: done.locator, sha256: done.sha256, sizeBytes: done.sizeBytes }
    return { snapshot, fileKey: fileKeyOf(done.ageHeader, identity), file: path.join(storageBase, done.locator), counts: done }
  })

const base = { mode: 0o644, mtime: 1_700_000_000, uid: 0, gid: 0, size: 0 }
export const fileItem = (name: string, content: string | Uint8Array, extra: Partial<TarEntryMeta> = {}): TarItem => {
  const bytes = typeof content === "string" ? Buffer.from(content) : content
  return { meta: { ...base, name, type: "file", size: bytes.length, ...extra }, content: Stream.make(bytes) }
}
export const dirItem = (name: string, extra: Partial<TarEntryMeta> = {}): TarItem =>
  ({ meta: { ...base, mode: 0o755, name, type: "directory", ...extra }, content: Stream.empty })
export const symlinkItem = (name: string, linkname: string): TarItem =>
  ({ meta: { ...base, mode: 0o777, name, type: "symlink", linkname }, content: Stream.empty })

/** An artifact of exactly `tar` (as the age plaintext's zstd content), recorded as the Hub would. */
export const craftFromTar = (storageBase: string, tar: Uint8Array) =>
  Effect.gen(function*() {
    const identity = generateAgeIdentity()
    const encryptor = ageEncryptor([identity.publicKey])
    const ids = { snapshotId: randomUUID(), tenantId: randomUUID(), sourceId: randomUUID() }
    const locator = artifactLocator(ids)
    const file = path.join(storageBase, locator)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const written = yield* writeAtomically(file, Stream.make(tar).pipe(zstdFrames({ frameBytes: 64 * 1024 }), encryptor.encrypt))
    const snapshot: SnapshotToRead = { ...ids, locator, sha256: written.sha256, sizeBytes: written.sizeBytes }
    return { snapshot, fileKey: fileKeyOf(encryptor.header, identity), file } satisfies Artifact
  })

export const tarOf = (items: ReadonlyArray<TarItem>) =>
  Stream.runCollect(tarStream(Stream.fromIterable(items))).pipe(Effect.map((c) => Buffer.concat(Chunk.toArray(c))))

/** An artifact whose tar holds `items`, written with the project's own writers. */
export const craft = (storageBase: string, items: ReadonlyArray<TarItem>) =>
  Effect.flatMap(tarOf(items), (tar) => craftFromTar(storageBase, tar))

/** A copy of an artifact under a new snapshot id, damaged by `damage`, recorded as the original was. */
export const damagedCopy = (storageBase: string, original: Artifact, damage: (bytes: Buffer) => Buffer) => {
  const ids = { ...original.snapshot, snapshotId: randomUUID() }
  const locator = artifactLocator(ids)
  const file = path.join(storageBase, locator)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, damage(Buffer.from(fs.readFileSync(original.file))))
  return { ...original, snapshot: { ...ids, locator }, file }
}

export const flipByteAt = (offset: number) => (bytes: Buffer) => {
  bytes[offset] ^= 0x40
  return bytes
}

/**
 * An archive that tries to write outside wherever it is restored: '..', an absolute name into
 * `outside`, and files below symlinks that point to `outside` or up. Then the refusals expected.
 */
export const escapingItems = (outside: string): Array<TarItem> => [
  dirItem("safe"),
  fileItem("safe/ok.txt", "fine\n"),
  fileItem("../escape", "up\n"),
  fileItem(`${outside}/abs`, "absolute\n"),
  symlinkItem("link", outside),
  fileItem("link/x", "through the link\n"),
  symlinkItem("up", ".."),
  dirItem("up/sub"),
  fileItem("up/sub/y", "through ..\n")
]

export const escapeRefusals = (outside: string) => [
  { path: "../escape", message: "refused: a name with '..' would be written outside the target" },
  { path: `${outside}/abs`, message: "refused: an absolute name would be written outside the target" },
  { path: "link/x", message: "refused: it is below the symlink link, which could point outside the target" },
  { path: "up/sub/", message: "refused: it is below the symlink up, which could point outside the target" },
  { path: "up/sub/y", message: "refused: it is below the symlink up, which could point outside the target" }
]
