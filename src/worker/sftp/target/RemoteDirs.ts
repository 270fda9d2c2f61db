import { posix } from "node:path"
import { Effect } from "effect"
import type { Attributes } from "ssh2"
import { relabelLost } from "../connectionLost.js"
import { Reply } from "../Reply.js"
import type { SftpError } from "../SftpConnection.js"
import { describeStatus } from "../SftpStatus.js"
import type { SourceFailed } from "../../source/SourceFailed.js"
import { describeInPlace } from "./describeInPlace.js"
import { remotePath, skip, type TargetContext, timesOf } from "./TargetContext.js"

/** created: by this restore; existing: a real directory that was there (never a symlink); refused: nothing goes below it. */
export type DirStatus = "created" | "existing" | "refused"

// Directories are made writable for their owner while the restore fills them; their own mode comes last.
const FILLING_MODE = 0o700
// Directories the archive does not list (the roots' parents, parents of included entries), as `mkdir -p` makes them.
const IMPLICIT_MODE = 0o755

export const parentOf = (name: string) => {
  const dir = posix.dirname(name)
  return dir === "." ? "" : dir
}

/**
 * The directories of one SFTP restore, by normalized name. In a directory that was already in
 * the target, an entry waits for its parent's mkdir (or lstat) to be answered before anything is
 * sent below it: nothing is ever created through a symlink that was already there. Modes and mtimes are applied at the end, deepest first, when no more writes can
 * move them.
 */
export class RemoteDirs {
  private readonly states = new Map<string, Reply<DirStatus, SourceFailed>>()
  private readonly attributes: Array<{ readonly name: string; readonly mode: number; readonly mtime: number }> = []

  constructor(private readonly context: TargetContext, rootStatus: "created" | "existing") {
    const root = new Reply<DirStatus, SourceFailed>()
    root.settle(undefined, rootStatus)
    this.states.set("", root)
  }

  /** The directory's status once known, creating it and any missing parents first. */
  ensure(name: string): Effect.Effect<DirStatus, SourceFailed> {
    const known = this.states.get(name)
    if (known !== undefined) return known.wait()
    return Effect.flatMap(this.ensure(parentOf(name)), (parent) => this.make(name, IMPLICIT_MODE, parent).wait())
  }

  /** A directory entry: created now without waiting (its children will), mode and mtime remembered for the end. */
  entry(name: string, mode: number, mtime: number, parent: DirStatus): Effect.Effect<void, SourceFailed> {
    const remember = (status: DirStatus) => {
      if (status === "refused") return
      this.context.counters.dirs++
      if (status === "created" || this.context.overwrite) this.attributes.push({ name, mode, mtime })
    }
    const known = this.states.get(name)
    if (known === undefined) {
      this.make(name, FILLING_MODE, parent, remember)
      return Effect.void
    }
    // made already as the parent of an earlier entry, or listed twice
    return Effect.map(known.wait(), remember)
  }

  /** Sets the remembered modes and mtimes, deepest directories first. */
  applyAttributes(): Effect.Effect<void, SourceFailed> {
    const deepestFirst = [...this.attributes].sort((a, b) => b.name.split("/").length - a.name.split("/").length)
    return Effect.forEach(deepestFirst, ({ name, mode, mtime }) =>
      this.context.connection.request<void>((sftp, done) => sftp.setstat(remotePath(this.context, name), { mode: mode & 0o7777, ...timesOf(mtime) }, done)).pipe(
        Effect.catchTag("SftpStatus", (status) =>
          Effect.sync(() => this.context.warnings.push({ path: name, message: `mode and mtime not restored: ${describeStatus(status)}` })))
      ), { concurrency: 32, discard: true })
  }

  private make(name: string, mode: number, parent: DirStatus, onStatus: (status: DirStatus) => void = () => {}) {
    const reply = new Reply<DirStatus, SourceFailed>()
    this.states.set(name, reply)
    const settle = (status: DirStatus) => {
      onStatus(status)
      reply.settle(undefined, status)
    }
    if (parent === "refused") {
      settle("refused")
      return reply
    }
    // Inside a directory this restore created, only its own entries can be in the way, and no
    // symlink before the end: children need not wait for the mkdir (which may queue behind
    // megabytes of writes). Its outcome still decides the count, the attributes and any warning.
    if (parent === "created") reply.settle(undefined, "created")
    const remote = remotePath(this.context, name)
    const lost = (error: SourceFailed) => {
      const relabeled = relabelLost(this.context.connection.endpoint, () => `while creating ${remote}`)(error)
      this.context.window.fail(relabeled)
      reply.settle(relabeled)
    }
    this.context.connection.send<void>((sftp, done) => sftp.mkdir(remote, { mode }, done), (error) => {
      if (error === undefined) {
        if (parent !== "created") this.context.created.push(remote)
        return settle("created")
      }
      if (error._tag === "SourceFailed") return lost(error)
      this.context.connection.send<Attributes>((sftp, done) => sftp.lstat(remote, done), (lstatError, attrs) => {
        if (lstatError?._tag === "SourceFailed") return lost(lstatError)
        if (attrs !== undefined && describeInPlace(attrs) === "a directory") return settle("existing")
        skip(this.context, name, `skipped with everything below it: ${
          attrs === undefined ? describeStatus(error as Extract<SftpError, { _tag: "SftpStatus" }>) : `${describeInPlace(attrs)} is in its place in the target`
        }`)
        settle("refused")
      })
    })
    return reply
  }
}
