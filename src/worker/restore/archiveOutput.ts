import { Chunk, Stream } from "effect"
import { contentPadding, encodeHeader, END_OF_ARCHIVE } from "../artifact/PaxTar.js"
import type { TarEntryMeta } from "../artifact/TarItem.js"
import type { EntryPolicy } from "./EntryPolicy.js"
import type { Counters, RestoreWarning } from "./SnapshotToRead.js"
import type { ReadEntry, TarPart } from "../artifact/TarParser.js"

// padding is always less than one block
const ZEROS = new Uint8Array(512)

const metaOf = (entry: ReadEntry, name: string): TarEntryMeta => ({
  name,
  type: entry.type === "other" ? "file" : entry.type,
  size: entry.type === "file" ? entry.size : 0,
  mode: entry.mode,
  mtime: entry.mtime,
  uid: entry.uid,
  gid: entry.gid,
  ...(entry.type === "symlink" ? { linkname: entry.linkname } : {})
})

export interface ArchiveOutputOptions {
  readonly policy: EntryPolicy
  readonly counters: Counters
  readonly warnings: Array<RestoreWarning>
  /** Entries written, counted as they go. */
  readonly written: { entries: number }
}

/**
 * The entries the policy takes, as a new POSIX pax tar (the PaxTar writer's headers: pax records
 * for long names, big sizes and fractional mtimes), contents passed through as they stream.
 */
export const archiveOutput = (options: ArchiveOutputOptions) =>
  <E, R>(parts: Stream.Stream<TarPart, E, R>): Stream.Stream<Uint8Array, E, R> =>
    Stream.suspend(() => {
      const { policy, counters, warnings, written } = options
      let taking = false
      return parts.pipe(
        Stream.mapChunks((chunk) => {
          const out: Array<Uint8Array> = []
          for (const part of chunk) {
            if (part._tag === "Data") {
              if (taking) out.push(part.bytes)
              continue
            }
            const { entry } = part
            if (part._tag === "EntryEnd") {
              const padding = contentPadding(entry.size)
              if (taking && entry.type === "file" && padding > 0) out.push(ZEROS.subarray(0, padding))
              taking = false
              continue
            }
            const verdict = policy.decide(entry)
            if (verdict._tag === "Refuse") warnings.push({ path: entry.name, message: verdict.message })
            if (verdict._tag !== "Restore") continue
            taking = true
            written.entries++
            out.push(encodeHeader(metaOf(entry, verdict.path)))
            if (entry.type === "file") counters.files++
            else if (entry.type === "directory") counters.dirs++
            else counters.symlinks++
          }
          return Chunk.unsafeFromArray(out)
        }),
        Stream.concat(Stream.succeed(END_OF_ARCHIVE))
      )
    })
