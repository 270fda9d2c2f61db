import { Chunk, Effect, Option, Stream } from "effect"
import type { Attributes, FileEntryWithStats } from "ssh2"
import { lostDuring } from "./connectionLost.js"
import type { ExcludeMatcher } from "../source/excludeMatcher.js"
import type { SftpConnection } from "./SftpConnection.js"
import { SftpStatus, SFTP_NO_SUCH_FILE, describeStatus } from "./SftpStatus.js"
import { toWalkedEntry, type WalkedEntry } from "./SourceEntry.js"
import { SourceFailed } from "../source/SourceFailed.js"
import { ancestorsOf, sourceRoots } from "../source/sourceRoots.js"

export interface WalkOptions {
  readonly paths: ReadonlyArray<string>
  readonly isExcluded: ExcludeMatcher
}

// Descending, for the stack below; keys are computed once, not per comparison.
const sortedDescending = (listing: ReadonlyArray<FileEntryWithStats>) =>
  listing.map((item) => ({ item, key: Buffer.from(item.filename) }))
    .sort((a, b) => Buffer.compare(b.key, a.key))
    .map(({ item }) => item)

const childPath = (dir: string, name: string) => (dir === "/" ? `/${name}` : `${dir}/${name}`)

/**
 * Every entry under the roots, depth first, each directory before its children, children in byte order of
 * their names. Symlinks are reported, never followed. Listing attributes come with readdir: no lstat per entry.
 * What cannot be backed up comes as a skipped entry or a warning on its directory, in walk order.
 */
export const walkSource = (connection: SftpConnection, options: WalkOptions): Stream.Stream<WalkedEntry, SourceFailed> => {
  const { endpoint } = connection

  // Excluded entries are dropped here, so an excluded directory is never listed.
  const admit = (path: string, attrs: Attributes): WalkedEntry | undefined => {
    const entry = toWalkedEntry(path, attrs)
    return options.isExcluded(path, entry.type === "directory") ? undefined : entry
  }

  const list = (dir: string): Effect.Effect<{ readonly children: Array<WalkedEntry>; readonly warning?: string }, SourceFailed> =>
    connection.request<Array<FileEntryWithStats>>((sftp, done) => sftp.readdir(dir, done)).pipe(
      Effect.map((listing) => ({
        children: sortedDescending(listing).flatMap((item) => admit(childPath(dir, item.filename), item.attrs) ?? [])
      })),
      Effect.catchTag("SftpStatus", (status) =>
        Effect.succeed({
          children: [],
          warning: `contents skipped: the directory cannot be listed (${describeStatus(status)})`
        })),
      lostDuring(endpoint, `while listing ${dir}`)
    )

  const lstatRoot = (root: string) =>
    connection.request<Attributes>((sftp, done) => sftp.lstat(root, done)).pipe(
      Effect.catchTag("SftpStatus", (status: SftpStatus) =>
        Effect.fail(new SourceFailed({
          reason: "missing_path",
          message: status.code === SFTP_NO_SUCH_FILE
            ? `source path ${root} does not exist on ${endpoint}`
            : `source path ${root} cannot be read on ${endpoint}: ${describeStatus(status)}`
        }))),
      lostDuring(endpoint, `while looking up ${root}`)
    )

  const walkRoot = (root: string) =>
    Stream.unwrap(Effect.gen(function*() {
      const attrs = yield* lstatRoot(root)
      if (ancestorsOf(root).some((dir) => options.isExcluded(dir, true))) return Stream.empty
      const entry = admit(root, attrs)
      // Frames hold children in reverse, so pop() yields them in order.
      const stack: Array<Array<WalkedEntry>> = entry === undefined ? [] : [[entry]]
      const pull: Effect.Effect<Chunk.Chunk<WalkedEntry>, Option.Option<SourceFailed>> = Effect.gen(function*() {
        const out: Array<WalkedEntry> = []
        while (stack.length > 0) {
          const next = stack[stack.length - 1]!.pop()
          if (next === undefined) {
            stack.pop()
            continue
          }
          if (next.type !== "directory") {
            out.push(next)
            continue
          }
          const { children, warning } = yield* Effect.mapError(list(next.path), Option.some)
          out.push(warning === undefined ? next : { ...next, warning })
          stack.push(children)
          break
        }
        if (out.length === 0) return yield* Effect.fail(Option.none())
        return Chunk.unsafeFromArray(out)
      })
      return Stream.repeatEffectChunkOption(pull)
    }))

  const roots = sourceRoots(options.paths)
  if (!Array.isArray(roots)) {
    return Stream.fail(new SourceFailed({
      reason: "missing_path",
      message: `source path ${roots.notAbsolute} is not an absolute path`
    }))
  }
  return Stream.fromIterable(roots).pipe(Stream.flatMap(walkRoot))
}
