import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Chunk, Effect, Stream } from "effect"
import { PARTIAL_SUFFIX } from "./LocalPaths.js"
import { StorageFailed } from "./StorageFailed.js"

export interface WrittenFile {
  readonly sizeBytes: number
  readonly sha256: string
}

/** writev may write less than asked (a disk filling up); the rest is retried so its real error surfaces. */
const writeAll = async (handle: fs.FileHandle, buffers: ReadonlyArray<Uint8Array>): Promise<number> => {
  const total = buffers.reduce((n, b) => n + b.byteLength, 0)
  let { bytesWritten } = await handle.writev(buffers as Array<Uint8Array>)
  if (bytesWritten < total) {
    const rest = Buffer.concat(buffers as Array<Uint8Array>).subarray(bytesWritten)
    for (let offset = 0; offset < rest.byteLength;) {
      const { bytesWritten: n } = await handle.write(rest, offset)
      if (n === 0) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" })
      offset += n
    }
    bytesWritten = total
  }
  return bytesWritten
}

/** Written bytes between the flushes started while writing goes on. */
export const SYNC_EVERY_BYTES = 32 * 1024 * 1024

const attempt = <A>(action: string, file: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (e) => StorageFailed.from(action, file, e) })

/**
 * Writes a stream to `file` the way a crash cannot corrupt: into `file.partial`, fsynced,
 * then renamed over `file`. If anything fails (or the fiber is interrupted) the partial file
 * is removed. Writes are sequential, so the stream is pulled only as fast as the disk takes it.
 * The caller fsyncs the directory (fsyncUpTo).
 */
export const writeAtomically = <E, R>(
  file: string,
  content: Stream.Stream<Uint8Array, E, R>,
  onWritten: (bytes: number) => void = () => {}
): Effect.Effect<WrittenFile, E | StorageFailed, R> => {
  const partial = `${file}${PARTIAL_SUFFIX}`
  const name = path.basename(file)
  return Effect.acquireUseRelease(
    attempt("create", name, () => fs.open(partial, "w", 0o640)),
    (handle) =>
      Effect.gen(function*() {
        const hash = createHash("sha256")
        let size = 0
        // What is already written is flushed while writing goes on (the disk works while the
        // pipeline does), so the fsync at the end has only the last few MiB left to do.
        let unsynced = 0
        let flushing: Promise<void> | undefined
        const flush = () => {
          flushing = handle.datasync().finally(() => (flushing = undefined))
          // A failed flush surfaces at the next one, or at the final fsync, which fails the same way.
          flushing.catch(() => {})
          unsynced = 0
        }
        yield* Stream.runForEachChunk(content, (chunk) => {
          const buffers = Chunk.toReadonlyArray(chunk)
          for (const b of buffers) {
            hash.update(b)
            size += b.byteLength
          }
          return attempt("write", name, () => writeAll(handle, buffers)).pipe(Effect.tap((n) => {
            onWritten(n)
            unsynced += n
            if (unsynced >= SYNC_EVERY_BYTES && flushing === undefined) flush()
          }))
        })
        yield* attempt("fsync", name, async () => {
          await flushing
          await handle.sync()
        })
        return { sizeBytes: size, sha256: hash.digest("hex") }
      }),
    (handle, exit) =>
      Effect.promise(() => handle.close().catch(() => {})).pipe(
        Effect.zipRight(exit._tag === "Failure" ? Effect.promise(() => fs.rm(partial, { force: true })) : Effect.void)
      )
  ).pipe(Effect.tap(() => attempt("rename", name, () => fs.rename(partial, file))))
}

/** Makes renames inside `dir` durable. */
export const fsyncDirectory = (dir: string) =>
  Effect.acquireUseRelease(
    attempt("open", dir, () => fs.open(dir, "r")),
    (handle) => attempt("fsync", dir, () => handle.sync()),
    (handle) => Effect.promise(() => handle.close().catch(() => {}))
  )

/** After the final renames: the files, the directory and its ancestors' entries survive a power cut. */
export const fsyncUpTo = (base: string, dir: string) =>
  Effect.gen(function*() {
    const root = path.resolve(base)
    for (let d = path.resolve(dir); d.startsWith(root); d = path.dirname(d)) {
      yield* fsyncDirectory(d)
      if (d === root) break
    }
  })
