import { createHash, randomBytes, randomUUID } from "node:crypto"
import { expect, layer } from "@effect/vitest"
import { Chunk, Context, Effect, Exit, Fiber, type Layer, Stream } from "effect"
import type { SnapshotOnWorker } from "../../src/shared/contract/Workers.js"
import { artifactLocator, manifestLocator, type SnapshotRef, snapshotDirLocator } from "../../src/shared/storage/Locators.js"
import { ArtifactStore } from "../../src/worker/storage/ArtifactStore.js"

// The contract every ArtifactStore must keep (restic's backend/test.Suite idea): run it against a
// new store with a layer that gives each test file a fresh, empty store and a raw view of it.

/** What the store holds underneath, named as the store names it: files, objects, uploads in progress. */
export class StoreInspector extends Context.Tag("test/StoreInspector")<StoreInspector, {
  readonly rawNames: Effect.Effect<ReadonlyArray<string>>
}>() {}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

const newRef = (): SnapshotRef => ({ tenantId: randomUUID(), sourceId: randomUUID(), snapshotId: randomUUID() })

const onWorker = (ref: SnapshotRef, extra: Partial<SnapshotOnWorker> = {}) =>
  ({ id: ref.snapshotId, tenantId: ref.tenantId, sourceId: ref.sourceId, locator: artifactLocator(ref), sha256: "0".repeat(64), sizeBytes: 0, ...extra }) as SnapshotOnWorker

/** A complete snapshot: its artifact, then its manifest (written last). */
const storeSnapshot = (ref: SnapshotRef, bytes: Uint8Array) =>
  Effect.gen(function*() {
    const store = yield* ArtifactStore
    yield* store.prepare(snapshotDirLocator(ref))
    const stored = yield* store.put(artifactLocator(ref), Stream.make(bytes))
    yield* store.put(manifestLocator(ref), Stream.make(Buffer.from("{}\n")))
    return stored
  })

const readAll = (ref: SnapshotRef, expected: { sizeBytes: number; sha256: string }) =>
  Effect.scoped(Effect.gen(function*() {
    const store = yield* ArtifactStore
    const reader = yield* store.open(artifactLocator(ref), expected, () => {})
    return Buffer.concat(Chunk.toArray(yield* Stream.runCollect(reader.content)))
  }))

const openError = (locator: string, expected = { sizeBytes: 1, sha256: "0".repeat(64) }) =>
  Effect.flip(Effect.scoped(Effect.flatMap(ArtifactStore, (store) => store.open(locator, expected, () => {}))))

const noPartials = Effect.map(Effect.flatMap(StoreInspector, (i) => i.rawNames), (names) => names.filter((n) => /partial/i.test(n)))

export const artifactStoreSuite = <E>(name: string, makeStoreLayer: () => Layer.Layer<ArtifactStore | StoreInspector, E>) =>
  layer(makeStoreLayer(), { excludeTestServices: true, timeout: "60 seconds" })(`ArtifactStore conformance: ${name}`, (it) => {
    it.effect("put returns the size and SHA-256 of what it stored, and open reads exactly that back", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        expect(store.backend).toMatch(/^[a-z0-9_]+$/)
        const ref = newRef()
        const bytes = randomBytes(3 * 1024 * 1024 + 17)
        const stored = yield* storeSnapshot(ref, bytes)
        expect(stored).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) })
        expect((yield* readAll(ref, stored)).equals(bytes)).toBe(true)
        const checked = yield* Effect.scoped(Effect.flatMap(store.open(artifactLocator(ref), stored, () => {}), (r) => Effect.either(r.check)))
        expect(checked._tag).toBe("Right")
      }))

    it.effect("pieces reads the same bytes piece by piece, counted, and check then compares without reading them again", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const ref = newRef()
        const bytes = randomBytes(2 * 1024 * 1024 + 5)
        const stored = yield* storeSnapshot(ref, bytes)
        let counted = 0
        const { read, checked } = yield* Effect.scoped(Effect.gen(function*() {
          const reader = yield* store.open(artifactLocator(ref), stored, (n) => (counted += n))
          const pieces = reader.pieces()
          const copies: Array<Buffer> = []
          // each piece is valid until the next call: copied before asking for more
          for (let piece = yield* Effect.promise(pieces.next); piece !== undefined; piece = yield* Effect.promise(pieces.next)) {
            copies.push(Buffer.from(piece))
          }
          return { read: Buffer.concat(copies), checked: yield* Effect.either(reader.check) }
        }))
        expect(read.equals(bytes)).toBe(true)
        expect(counted).toBe(bytes.length)
        expect(checked._tag).toBe("Right")
        const wrong = { ...stored, sha256: "0".repeat(64) }
        const mismatch = yield* Effect.scoped(Effect.gen(function*() {
          const reader = yield* store.open(artifactLocator(ref), wrong, () => {})
          const pieces = reader.pieces()
          yield* Effect.promise(pieces.next)
          return yield* Effect.flip(reader.check)
        }))
        expect(mismatch).toMatchObject({ _tag: "ArtifactUnreadable", reason: "mismatch" })
      }))

    it.effect("a put whose stream fails leaves nothing readable, nothing partial, and fails with the stream's error", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const ref = newRef()
        yield* store.prepare(snapshotDirLocator(ref))
        const failing = Stream.concat(Stream.make(randomBytes(256 * 1024)), Stream.fail("source went away" as const))
        const error = yield* Effect.flip(store.put(artifactLocator(ref), failing))
        expect(error).toBe("source went away")
        expect(yield* openError(artifactLocator(ref))).toMatchObject({ _tag: "ArtifactUnreadable", reason: "missing" })
        expect(yield* noPartials).toEqual([])
      }))

    it.effect("an interrupted put leaves nothing readable and nothing partial", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const ref = newRef()
        yield* store.prepare(snapshotDirLocator(ref))
        let written = 0
        const endless = Stream.repeatEffect(Effect.sync(() => randomBytes(64 * 1024)))
        const fiber = yield* Effect.fork(store.put(artifactLocator(ref), endless, (n) => (written += n)))
        while (written < 1024 * 1024) yield* Effect.sleep("5 millis")
        yield* Fiber.interrupt(fiber)
        expect(yield* openError(artifactLocator(ref))).toMatchObject({ _tag: "ArtifactUnreadable", reason: "missing" })
        expect(yield* noPartials).toEqual([])
      }))

    it.effect("open checks what the Hub recorded: a wrong size at once, a wrong SHA-256 when checked", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const ref = newRef()
        const stored = yield* storeSnapshot(ref, Buffer.from("the artifact"))
        expect(yield* openError(artifactLocator(ref), { ...stored, sizeBytes: stored.sizeBytes + 1 })).toMatchObject({
          _tag: "ArtifactUnreadable", reason: "mismatch", retryable: false
        })
        const wrong = { ...stored, sha256: "f".repeat(64) }
        const checked = yield* Effect.scoped(Effect.flatMap(store.open(artifactLocator(ref), wrong, () => {}), (r) => Effect.flip(r.check)))
        expect(checked).toMatchObject({ _tag: "ArtifactUnreadable", reason: "mismatch" })
        expect(checked.message).toContain(stored.sha256)
        expect(yield* openError(artifactLocator(newRef()))).toMatchObject({ _tag: "ArtifactUnreadable", reason: "missing" })
      }))

    it.effect("deleting a snapshot removes its objects and only them; deleting again succeeds with removed: false", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const doomed = newRef()
        const neighbour = newRef()
        yield* storeSnapshot(doomed, Buffer.from("doomed"))
        const kept = yield* storeSnapshot(neighbour, Buffer.from("neighbour"))
        expect(yield* store.deleteSnapshot(onWorker(doomed))).toEqual({ snapshotId: doomed.snapshotId, removed: true })
        expect(yield* openError(artifactLocator(doomed))).toMatchObject({ reason: "missing" })
        expect(yield* store.deleteSnapshot(onWorker(doomed))).toEqual({ snapshotId: doomed.snapshotId, removed: false })
        expect((yield* readAll(neighbour, kept)).toString()).toBe("neighbour")
      }))

    it.effect("locators outside the base, absolute, or naming another snapshot are refused, touching nothing", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const ref = newRef()
        const other = newRef()
        const stored = yield* storeSnapshot(ref, Buffer.from("mine"))
        yield* storeSnapshot(other, Buffer.from("other's"))
        for (const locator of ["../../../etc/passwd", "/etc/passwd", "tenants/../../x"]) {
          expect(yield* Effect.flip(store.put(locator, Stream.make(Buffer.from("x"))))).toMatchObject({ _tag: "LocatorRefused", retryable: false })
          expect(yield* Effect.flip(store.prepare(locator))).toMatchObject({ _tag: "LocatorRefused" })
          expect(yield* Effect.flip(store.discard(locator))).toMatchObject({ _tag: "LocatorRefused" })
          expect(yield* openError(locator)).toMatchObject({ _tag: "LocatorRefused" })
          const refused = yield* Effect.flip(store.deleteSnapshot(onWorker(ref, { locator })))
          expect(refused).toMatchObject({ _tag: "LocatorRefused", message: expect.stringMatching(/refusing locator/) })
        }
        for (const locator of [artifactLocator(other), `tenants/${ref.tenantId}/sources/${ref.sourceId}/backup.tar.zst.enc`]) {
          expect(yield* Effect.flip(store.deleteSnapshot(onWorker(ref, { locator })))).toMatchObject({ _tag: "LocatorRefused" })
        }
        expect((yield* readAll(ref, stored)).toString()).toBe("mine")
        expect(yield* store.deleteSnapshot(onWorker(other))).toMatchObject({ removed: true })
      }))

    it.effect("incomplete units are listed and swept; complete ones are kept", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const complete = newRef()
        const crashed = newRef()
        const kept = yield* storeSnapshot(complete, Buffer.from("complete"))
        yield* store.prepare(snapshotDirLocator(crashed))
        yield* store.put(artifactLocator(crashed), Stream.make(Buffer.from("no manifest yet")))
        const listed = yield* store.listIncomplete
        expect(listed).toContainEqual({ kind: "snapshots", locator: snapshotDirLocator(crashed) })
        expect(listed.map((u) => u.locator)).not.toContain(snapshotDirLocator(complete))
        const swept = yield* store.sweepIncomplete
        expect(swept).toEqual(listed)
        expect(yield* store.listIncomplete).toEqual([])
        expect(yield* openError(artifactLocator(crashed))).toMatchObject({ reason: "missing" })
        expect((yield* readAll(complete, kept)).toString()).toBe("complete")
      }))

    it.effect("listUnits lists complete units with when they completed, never incomplete ones; a discarded unit is gone from it", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const complete = newRef()
        const crashed = newRef()
        const before = Date.now()
        yield* storeSnapshot(complete, Buffer.from("complete"))
        yield* store.prepare(snapshotDirLocator(crashed))
        yield* store.put(artifactLocator(crashed), Stream.make(Buffer.from("no manifest yet")))
        const units = yield* store.listUnits("snapshots")
        const listed = units.find((u) => u.locator === snapshotDirLocator(complete))
        expect(listed).toBeDefined()
        expect(listed!.completedAt.getTime()).toBeGreaterThanOrEqual(before - 2000)
        expect(units.map((u) => u.locator)).not.toContain(snapshotDirLocator(crashed))
        expect(yield* store.listUnits("restores")).not.toContainEqual(expect.objectContaining({ locator: snapshotDirLocator(complete) }))
        yield* store.discard(snapshotDirLocator(complete))
        expect((yield* store.listUnits("snapshots")).map((u) => u.locator)).not.toContain(snapshotDirLocator(complete))
      }))

    it.effect("prepare clears what an earlier attempt left in the unit; discard is idempotent", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const ref = newRef()
        yield* storeSnapshot(ref, Buffer.from("first attempt"))
        yield* store.prepare(snapshotDirLocator(ref))
        expect(yield* openError(artifactLocator(ref))).toMatchObject({ reason: "missing" })
        yield* store.discard(snapshotDirLocator(ref))
        yield* store.discard(snapshotDirLocator(ref))
        expect(Exit.isSuccess(yield* Effect.exit(store.discard(snapshotDirLocator(newRef()))))).toBe(true)
      }))

    it.effect("free space and size are reported as byte counts", () =>
      Effect.gen(function*() {
        const store = yield* ArtifactStore
        const free = yield* store.freeBytes
        expect(Number.isInteger(free) && free > 0).toBe(true)
        const size = yield* store.sizeBytes
        expect(Number.isInteger(size) && size >= free).toBe(true)
      }))
  })
