import { Effect } from "effect"
import type { Attributes } from "ssh2"
import { lostDuring } from "../connectionLost.js"
import { describeStatus } from "../SftpStatus.js"
import type { SourceFailed } from "../../source/SourceFailed.js"
import { describeInPlace } from "./describeInPlace.js"
import { remotePath, skip, type TargetContext } from "./TargetContext.js"

export interface DeferredSymlink {
  readonly name: string
  readonly linkname: string
  readonly parentCreated: boolean
}

const replaceable = new Set(["a file", "a symlink"])

const createOne = (context: TargetContext, link: DeferredSymlink): Effect.Effect<void, SourceFailed> => {
  const { connection } = context
  const remote = remotePath(context, link.name)
  const symlink = connection.request<void>((sftp, done) => sftp.symlink(link.linkname, remote, done))
  const created = Effect.sync(() => {
    context.counters.symlinks++
    if (!link.parentCreated) context.created.push(remote)
  })
  const inTheWay = (attrs: Attributes) => {
    const inPlace = describeInPlace(attrs)
    if (context.overwrite && replaceable.has(inPlace)) {
      // unlink removes a symlink itself, never what it points to
      return connection.request<void>((sftp, done) => sftp.unlink(remote, done)).pipe(Effect.zipRight(symlink), Effect.zipRight(created))
    }
    const hint = context.overwrite ? "" : " (restore with --overwrite to replace a file or symlink)"
    return Effect.sync(() => skip(context, link.name, `skipped: ${inPlace} exists in its place in the target${hint}`))
  }
  return symlink.pipe(
    Effect.zipRight(created),
    Effect.catchTag("SftpStatus", (refused) =>
      connection.request<Attributes>((sftp, done) => sftp.lstat(remote, done)).pipe(
        Effect.flatMap(inTheWay),
        Effect.catchTag("SftpStatus", () => Effect.sync(() => skip(context, link.name, `skipped: ${describeStatus(refused)}`)))
      )),
    lostDuring(connection.endpoint, `while creating the symlink ${remote}`)
  )
}

/**
 * The archive's symlinks, created after every file and directory, so no entry of the archive
 * can ever be written through one. With overwrite, a file or symlink in the way is removed first.
 */
export const createSymlinks = (context: TargetContext, links: ReadonlyArray<DeferredSymlink>) =>
  Effect.forEach(links, (link) => createOne(context, link), { concurrency: 32, discard: true })
