import { createHash, type Hash } from "node:crypto"
import * as fs from "node:fs/promises"
import { Effect, Option, type Scope, Stream } from "effect"
import type { ArtifactReader, ExpectedObject, PieceReader } from "./ArtifactStore.js"
import { ArtifactUnreadable } from "./ArtifactUnreadable.js"
import { StorageFailed } from "./StorageFailed.js"

const READ_BYTES = 1024 * 1024

const isMissing = (e: unknown) => ["ENOENT", "ENOTDIR"].includes((e as { code?: string }).code ?? "")

const missing = (problem: string) => new ArtifactUnreadable({ reason: "missing", problem })
const mismatch = (problem: string) => new ArtifactUnreadable({ reason: "mismatch", problem })

/** Size, then SHA-256, against what the Hub recorded. */
const compare = (expected: ExpectedObject, digest: { readonly sha256: string; readonly size: number }) =>
  digest.size !== expected.sizeBytes
    ? Effect.fail(mismatch(`the artifact is ${digest.size} bytes, the Hub recorded ${expected.sizeBytes}`))
    : digest.sha256 !== expected.sha256.toLowerCase()
    ? Effect.fail(mismatch(`the artifact's sha256 is ${digest.sha256}, the Hub recorded ${expected.sha256}`))
    : Effect.void

/**
 * LocalFsStore's `open`: the file at `file` (already resolved under the base; `locator` names it
 * in messages), closed with the Scope, after checking it is a regular file of the expected size.
 */
export const openLocalFile = (
  file: string,
  locator: string,
  expected: ExpectedObject,
  onRead: (bytes: number) => void
): Effect.Effect<ArtifactReader, ArtifactUnreadable | StorageFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => fs.open(file, "r"),
        catch: (e) => isMissing(e) ? missing(`the artifact file ${locator} is missing`) : StorageFailed.from("open", locator, e)
      }),
      (h) => Effect.promise(() => h.close().catch(() => {}))
    )
    const stat = yield* Effect.tryPromise({ try: () => handle.stat(), catch: (e) => StorageFailed.from("stat", locator, e) })
    if (!stat.isFile()) return yield* missing(`the artifact ${locator} is not a regular file`)
    if (stat.size !== expected.sizeBytes) {
      return yield* mismatch(`the artifact is ${stat.size} bytes, the Hub recorded ${expected.sizeBytes}`)
    }

    let hash: Hash = createHash("sha256")
    let position = 0
    // a read in flight (pieces reads one ahead): digest waits for it, so `position` and the hash agree
    let ahead: Promise<unknown> | undefined
    const readInto = async (buffer: Buffer, count: boolean) => {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position).catch((e: unknown) => {
        throw StorageFailed.from("read", locator, e)
      })
      const bytes = buffer.subarray(0, bytesRead)
      hash.update(bytes)
      position += bytesRead
      if (count) onRead(bytesRead)
      return bytes
    }
    const restart = () => {
      hash = createHash("sha256")
      position = 0
    }
    // Uninterruptible, so `position` and the hash always agree when `digest` takes over.
    const readNext = (count: boolean) =>
      Effect.uninterruptible(Effect.tryPromise({
        try: () => readInto(Buffer.allocUnsafe(READ_BYTES), count),
        catch: (e) => e instanceof StorageFailed ? e : StorageFailed.from("read", locator, e)
      }))
    const content = Stream.suspend(() => {
      restart()
      return Stream.repeatEffectOption(
        readNext(true).pipe(
          Effect.mapError(Option.some),
          Effect.flatMap((bytes) => (bytes.length === 0 ? Effect.fail(Option.none()) : Effect.succeed(bytes)))
        )
      )
    })
    // Two buffers in turn: the next piece is read while the caller works on this one.
    const pieces = (): PieceReader => {
      restart()
      const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)]
      let turn = 0
      const start = () => {
        const read = readInto(buffers[turn]!, true)
        ahead = read.catch(() => {})
        return read
      }
      let upcoming = start()
      return {
        next: async () => {
          const bytes = await upcoming
          if (bytes.length === 0) return undefined
          turn = 1 - turn
          upcoming = start()
          return bytes
        }
      }
    }
    const digest = Effect.gen(function*() {
      // a reader stopped while its next() was waiting may still have started one more read
      yield* Effect.promise(async () => {
        for (let seen: unknown; seen !== ahead;) await (seen = ahead)
      })
      while ((yield* readNext(false)).length > 0);
      return { sha256: hash.digest("hex"), size: position }
    })
    return { content, pieces, digest, check: Effect.flatMap(digest, (d) => compare(expected, d)) }
  })
