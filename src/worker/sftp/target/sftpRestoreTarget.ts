import { Effect, Exit, type Scope } from "effect"
import type { RestoreWriter, TargetFailure, TargetOptions } from "../../source/Source.js"
import { openSftp } from "../openSftp.js"
import type { SftpTarget } from "../SftpTarget.js"
import { createSymlinks } from "./createSymlinks.js"
import { RemoteDirs } from "./RemoteDirs.js"
import { removeCreated } from "./removeCreated.js"
import { resolveTarget } from "./resolveTarget.js"
import type { TargetContext } from "./TargetContext.js"
import { trackRequests } from "./trackRequests.js"
import { TreeWriter } from "./TreeWriter.js"
import { UploadWindow } from "./UploadWindow.js"

/** Content bytes handed to unanswered write requests, and files open at once: what bounds memory and keeps the link busy. */
const WINDOW_BYTES = 16 * 1024 * 1024
const WINDOW_FILES = 64
const CLEANUP_TIMEOUT = "2 minutes"

/**
 * Writes a snapshot's entries over SFTP under the target path, named as in the archive
 * (`<target>/srv/data/…`): directories, files (many writes in flight), then symlinks, then
 * directory modes and mtimes. Nothing is written outside the target (see EntryPolicy,
 * RemoteDirs, FileUpload). Without overwrite, an existing file is never replaced: it is skipped
 * with a warning and the restore goes on. With it, regular files are replaced (symlink entries
 * also replace symlinks), never a directory, and never through a symlink. If the Scope closes
 * with a failure or interruption, everything the restore created is removed (over a new
 * connection if the first was lost).
 */
export const sftpRestoreTarget = <E>(
  target: SftpTarget,
  options: TargetOptions<E>
): Effect.Effect<RestoreWriter, TargetFailure | E, Scope.Scope> =>
  Effect.gen(function*() {
    const created: Array<string> = []
    const connected = trackRequests(yield* openSftp(target))
    const { connection } = connected
    yield* Effect.addFinalizer((exit) =>
      Exit.isSuccess(exit) ? Effect.void : connected.drained.pipe(
        Effect.zipRight(Effect.suspend(() => removeCreated(connection, created))),
        Effect.orElse(() =>
          Effect.scoped(Effect.flatMap(openSftp({ ...target, hostKey: connection.hostKey }), (again) => removeCreated(again, created)))
        ),
        Effect.timeout(CLEANUP_TIMEOUT),
        Effect.ignore
      )
    )
    if (target.hostKey === null) yield* options.recordHostKey(connection.hostKey)
    const resolved = yield* resolveTarget(connection, options, created)
    const context: TargetContext = {
      connection,
      root: resolved.root,
      overwrite: options.overwrite,
      window: new UploadWindow(WINDOW_BYTES, WINDOW_FILES),
      counters: options.counters,
      warnings: options.warnings,
      created,
      skipped: { count: 0 }
    }
    const dirs = new RemoteDirs(context, resolved.status)
    const writer = new TreeWriter(context, dirs, options.policy)
    const finish = Effect.gen(function*() {
      yield* context.window.idle
      // mkdirs are not in the window: their answers (and the modes they record) must be in too
      yield* connected.drained
      yield* createSymlinks(context, writer.symlinks)
      yield* dirs.applyAttributes()
      return { targetPath: resolved.root, skipped: context.skipped.count }
    })
    return { write: writer.write, finish }
  })
