import { Chunk, Effect, Option, Stream } from "effect"
import type { Attributes, FileEntryWithStats } from "ssh2"
import { lostDuring } from "./connectionLost.js"
import type { ExcludeMatcher } from "./excludeMatcher.js"
import type { SftpConnection } from "./SftpConnection.js"
import { SftpStatus, SFTP_NO_SUCH_FILE, describeStatus } from "./SftpStatus.js"
import { toSourceEntry, type SourceEntry } from "./SourceEntry.js"
import { SourceFailed } from "./SourceFailed.js"
import type { SourceWarning } from "./SourceOptions.js"
import { ancestorsOf, sourceRoots } from "./sourceRoots.js"

export interface WalkOptions {
  readonly paths: ReadonlyArray<string>
  readonly isExcluded: ExcludeMatcher
  readonly onWarning: (warning: SourceWarning) => void
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
 */
export const walkSource = (connection: SftpConnection, options: WalkOptions): Stream.Stream<SourceEntry, SourceFailed> => {
  const { endpoint } = connection
  const warn = (path: string, message: string) => Effect.sync(() => options.onWarning({ path, message }))

  // Excluded and unsupported entries are dropped here, so an excluded directory is never listed.
  const admit = (path: string, attrs: Attributes): Effect.Effect<SourceEntry | undefined> => {
    const entry = toSourceEntry(path, attrs)
    if (typeof entry === "string") return Effect.as(warn(path, `skipped: a ${entry} cannot be backed up`), undefined)
    return Effect.succeed(options.isExcluded(path, entry.type === "directory") ? undefined : entry)
  }

  const list = (dir: string): Effect.Effect<Array<SourceEntry>, SourceFailed> =>
    connection.request<Array<FileEntryWithStats>>((sftp, done) => sftp.readdir(dir, done)).pipe(
      Effect.flatMap((listing) =>
        Effect.forEach(sortedDescending(listing), (item) => admit(childPath(dir, item.filename), item.attrs))
      ),
      Effect.map((entries) => entries.filter((entry): entry is SourceEntry => entry !== undefined)),
      Effect.catchTag("SftpStatus", (status) =>
        Effect.as(warn(dir, `contents skipped: the directory cannot be listed (${describeStatus(status)})`), [])),
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
      const entry = yield* admit(root, attrs)
      // Frames hold children in reverse, so pop() yields them in order.
      const stack: Array<Array<SourceEntry>> = entry === undefined ? [] : [[entry]]
      const pull: Effect.Effect<Chunk.Chunk<SourceEntry>, Option.Option<SourceFailed>> = Effect.gen(function*() {
        const out: Array<SourceEntry> = []
        while (stack.length > 0) {
          const next = stack[stack.length - 1]!.pop()
          if (next === undefined) {
            stack.pop()
            continue
          }
          out.push(next)
          if (next.type === "directory") {
            stack.push(yield* Effect.mapError(list(next.path), Option.some))
            break
          }
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
