import { Chunk, Effect, Option, Queue, Stream, Take } from "effect"
import type { TarItem } from "../artifact/TarItem.js"
import { excludeMatcher } from "../source/excludeMatcher.js"
import { OpenFiles } from "./OpenFiles.js"
import { prepareEntry, type Prepared } from "./prepareEntry.js"
import type { Reply } from "./Reply.js"
import type { SftpConnection } from "./SftpConnection.js"
import type { WalkedEntry } from "./SourceEntry.js"
import type { SourceFailed } from "../source/SourceFailed.js"
import { DEFAULT_TUNING, type SourceOptions } from "../source/SourceOptions.js"
import { walkSource } from "./walkSource.js"

const MAX_BATCH = 64

interface Slot {
  readonly entry: WalkedEntry
  readonly reply: Reply<Prepared, SourceFailed>
  /** Bytes the slot holds in memory until it is emitted. */
  readonly weight: number
}

/**
 * The files under `options.paths` as tar items, in walk order (depth first, names in byte order, each
 * directory before its children) whatever order the reads finish in. Up to `filesInFlight` entries are
 * readied ahead of the consumer (small files read whole, within `prefetchBytes`); a large file's content
 * is read as the consumer pulls it. Consume each item's content before pulling the next item.
 *
 * Entries that cannot be read (permission denied, vanished, sockets and other special files) are left
 * out and reported through `onWarning`; the stream fails only with SourceFailed: a missing root
 * (missing_path) or a lost connection (connection_lost). Counting files, directories and symlinks is the
 * caller's: every item's `meta.type` says which it is.
 */
export const sourceItems = (
  connection: SftpConnection,
  options: SourceOptions
): Stream.Stream<TarItem<SourceFailed>, SourceFailed> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const tuning = { ...DEFAULT_TUNING, ...options.tuning }
    const openFiles = new OpenFiles(connection)
    yield* Effect.addFinalizer(() => Effect.sync(() => openFiles.closeAll()))
    const context = { connection, tuning, openFiles, onWarning: options.onWarning, onBytesRead: options.onBytesRead ?? (() => {}) }
    const walk = walkSource(connection, {
      paths: options.paths,
      isExcluded: excludeMatcher(options.excludes ?? [])
    }).pipe(Stream.filter((entry) => entry.path !== "/")) // "/" has no name in a tar archive; its children do
    // The walk runs ahead in its own fiber, so listing directories overlaps with reading files.
    const listed = yield* Stream.toQueue(walk, { capacity: 16 })

    let pending: Array<WalkedEntry> = []
    let cursor = 0
    let walkDone = false
    const window: Array<Slot> = []
    let heldBytes = 0
    const weightOf = (entry: WalkedEntry) =>
      entry.type === "file" && entry.attrs.size <= tuning.smallFileMax ? entry.attrs.size : 0

    // Starts entries until the window is full; waits for the walk only when there is nothing else to wait for.
    const fill: Effect.Effect<void, SourceFailed> = Effect.gen(function*() {
      while (window.length < tuning.filesInFlight) {
        if (cursor === pending.length) {
          if (walkDone) return
          const take = window.length === 0 ? yield* Queue.take(listed) : Option.getOrUndefined(yield* Queue.poll(listed))
          if (take === undefined) return
          if (Take.isDone(take)) {
            walkDone = true
            return
          }
          pending = Chunk.toArray(yield* Effect.mapError(Take.done(take), Option.getOrThrow))
          cursor = 0
          continue
        }
        const entry = pending[cursor]!
        const weight = weightOf(entry)
        if (window.length > 0 && heldBytes + weight > tuning.prefetchBytes) return
        cursor++
        heldBytes += weight
        window.push({ entry, weight, reply: prepareEntry(entry, context) })
      }
    })

    // Items go out in batches of what is ready, so later stages run per batch rather than per
    // small file. A batch ends at a file whose content is streamed: it must be read first.
    const nextBatch: Effect.Effect<Chunk.Chunk<TarItem<SourceFailed>>, Option.Option<SourceFailed>> = Effect.gen(function*() {
      const batch: Array<TarItem<SourceFailed>> = []
      while (batch.length < MAX_BATCH) {
        if (batch.length > 0 && (window.length === 0 || !window[0]!.reply.settled)) break
        yield* Effect.mapError(fill, Option.some)
        const slot = window.shift()
        if (slot === undefined) break
        heldBytes -= slot.weight
        const prepared = yield* Effect.mapError(slot.reply.wait(), Option.some)
        if (prepared.warning !== undefined) options.onWarning({ path: slot.entry.path, message: prepared.warning })
        if (prepared.item === undefined) continue
        batch.push(prepared.item)
        if (prepared.item.meta.type === "file" && prepared.item.data === undefined) break
      }
      return batch.length === 0 ? yield* Effect.fail(Option.none()) : Chunk.unsafeFromArray(batch)
    })
    return Stream.repeatEffectChunkOption(nextBatch)
  }))
