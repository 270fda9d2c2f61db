import { Effect } from "effect"
import type { Attributes, FileEntryWithStats } from "ssh2"
import type { SftpConnection } from "../SftpConnection.js"
import type { SourceFailed } from "../../source/SourceFailed.js"
import { describeInPlace } from "./describeInPlace.js"

const removeEntry = (connection: SftpConnection, path: string, attrs: Attributes): Effect.Effect<void, SourceFailed> => {
  if (describeInPlace(attrs) !== "a directory") {
    return connection.request<void>((sftp, done) => sftp.unlink(path, done)).pipe(Effect.catchTag("SftpStatus", () => Effect.void))
  }
  return Effect.gen(function*() {
    // a directory whose final mode was applied may be read-only: this restore made it, so it may open it again
    yield* connection.request<void>((sftp, done) => sftp.setstat(path, { mode: 0o700 }, done)).pipe(Effect.catchTag("SftpStatus", () => Effect.void))
    const children = yield* connection.request<Array<FileEntryWithStats>>((sftp, done) => sftp.readdir(path, done)).pipe(
      Effect.catchTag("SftpStatus", () => Effect.succeed([] as Array<FileEntryWithStats>))
    )
    yield* Effect.forEach(children, (child) => removeEntry(connection, `${path}/${child.filename}`, child.attrs), { concurrency: 16, discard: true })
    yield* connection.request<void>((sftp, done) => sftp.rmdir(path, done)).pipe(Effect.catchTag("SftpStatus", () => Effect.void))
  })
}

/**
 * Removes what a failed restore wrote: each path (newest first) and, for directories, everything
 * in them. Listings come from readdir, which does not follow symlinks: a link is removed, never
 * what it points to. Paths that are gone or refused are passed over; a lost connection fails.
 */
export const removeCreated = (connection: SftpConnection, created: ReadonlyArray<string>): Effect.Effect<void, SourceFailed> =>
  Effect.forEach([...created].reverse(), (path) =>
    connection.request<Attributes>((sftp, done) => sftp.lstat(path, done)).pipe(
      Effect.flatMap((attrs) => removeEntry(connection, path, attrs)),
      Effect.catchTag("SftpStatus", () => Effect.void)
    ), { discard: true })
