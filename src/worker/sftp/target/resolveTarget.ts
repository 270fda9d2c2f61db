import { posix } from "node:path"
import { Effect } from "effect"
import type { Attributes } from "ssh2"
import { lostDuring } from "../connectionLost.js"
import type { SftpConnection, SftpError } from "../SftpConnection.js"
import { describeStatus, SFTP_NO_SUCH_FILE, type SftpStatus } from "../SftpStatus.js"
import type { SourceFailed } from "../../source/SourceFailed.js"
import { RestoreFailed } from "../../restore/RestoreFailed.js"
import { describeInPlace } from "./describeInPlace.js"

export interface TargetRequest {
  /** null: `xvault-restore-<snapshot id>` in the login's home; a relative path is relative to the home too. */
  readonly targetPath: string | null
  readonly snapshotId: string
  readonly overwrite: boolean
}

export interface ResolvedTarget {
  /** Absolute, without symlinks. */
  readonly root: string
  /** created: this restore made it (and owns everything in it); existing: restoring into a directory that was there. */
  readonly status: "created" | "existing"
}

/**
 * Finds or creates the target directory. A default target that exists already fails the job
 * (restoring twice must not mix two restores) unless overwrite is set; an explicit one that
 * exists is restored into. Directories created here are pushed onto `created` (the topmost only).
 */
export const resolveTarget = (
  connection: SftpConnection,
  request: TargetRequest,
  created: Array<string>
): Effect.Effect<ResolvedTarget, RestoreFailed | SourceFailed> => {
  const { endpoint } = connection
  const unusable = (message: string) => new RestoreFailed({ reason: "target_unusable", message })
  const refused = (what: string, path: string) => (status: SftpStatus) =>
    Effect.fail(unusable(`cannot ${what} ${path} on ${endpoint}: ${describeStatus(status)}`))
  const lstat = (path: string): Effect.Effect<Attributes | undefined, SftpError> =>
    Effect.catchAll(connection.request<Attributes>((sftp, done) => sftp.lstat(path, done)), (e) =>
      e._tag === "SftpStatus" && e.code === SFTP_NO_SUCH_FILE ? Effect.succeed(undefined) : Effect.fail(e))
  const realpath = (path: string) => connection.request<string>((sftp, done) => sftp.realpath(path, done))

  const mkdirs = (path: string) =>
    Effect.gen(function*() {
      const parts = path.split("/").filter((p) => p !== "")
      for (let i = 1; i <= parts.length; i++) {
        const dir = `/${parts.slice(0, i).join("/")}`
        if ((yield* lstat(dir)) !== undefined) continue
        yield* connection.request<void>((sftp, done) => sftp.mkdir(dir, { mode: 0o755 }, done))
        if (created.length === 0) created.push(dir)
      }
    })

  return Effect.gen(function*() {
    const home = yield* realpath(".").pipe(Effect.catchTag("SftpStatus", refused("find", "the login's home directory")))
    const given = request.targetPath
    const wanted = given === null
      ? posix.join(home, `xvault-restore-${request.snapshotId}`)
      : posix.normalize(posix.isAbsolute(given) ? given : posix.join(home, given)).replace(/(.)\/+$/, "$1")
    const found = yield* lstat(wanted).pipe(Effect.catchTag("SftpStatus", refused("look up", wanted)))
    if (found === undefined) {
      yield* mkdirs(wanted).pipe(Effect.catchTag("SftpStatus", refused("create", wanted)))
      return { root: wanted, status: "created" } as const
    }
    if (given === null && !request.overwrite) {
      return yield* new RestoreFailed({
        reason: "target_exists",
        message: `the target ${wanted} on ${endpoint} exists already (restore with --overwrite to restore into it, or choose another --target-path)`
      })
    }
    // an explicit target that is a symlink is the operator's choice: below it, nothing is followed
    const root = yield* realpath(wanted).pipe(Effect.catchTag("SftpStatus", refused("resolve", wanted)))
    const attrs = yield* lstat(root).pipe(Effect.catchTag("SftpStatus", refused("look up", root)))
    if (attrs === undefined || describeInPlace(attrs) !== "a directory") {
      return yield* unusable(`the target ${wanted} on ${endpoint} is not a directory`)
    }
    return { root, status: "existing" } as const
  }).pipe(lostDuring(endpoint, "while preparing the restore target"))
}
