import { type Chunk, Effect } from "effect"
import type { EntryPolicy } from "../../restore/EntryPolicy.js"
import type { ReadEntry, TarPart } from "../../artifact/TarParser.js"
import type { DeferredSymlink } from "./createSymlinks.js"
import { FileUpload } from "./FileUpload.js"
import { parentOf, type RemoteDirs } from "./RemoteDirs.js"
import { skip, type TargetContext } from "./TargetContext.js"
import type { UploadFailure } from "./UploadWindow.js"

/**
 * Writes the archive's entries into the target as they stream: directories and files now (many
 * files in flight), symlinks collected for the end. Waits for room in the upload window after
 * each batch, so memory stays bounded by the window.
 */
export class TreeWriter {
  private upload: FileUpload | undefined
  readonly symlinks: Array<DeferredSymlink> = []

  constructor(
    private readonly context: TargetContext,
    private readonly dirs: RemoteDirs,
    private readonly policy: EntryPolicy
  ) {}

  readonly write = (parts: Chunk.Chunk<TarPart>): Effect.Effect<void, UploadFailure> => {
    return Effect.gen(this, function*() {
      for (const part of parts) {
        if (part._tag === "Data") this.upload?.write(part.bytes)
        else if (part._tag === "EntryEnd") {
          this.upload?.end()
          this.upload = undefined
        } else yield* this.start(part.entry)
      }
      yield* this.context.window.room
    })
  }

  private start(entry: ReadEntry): Effect.Effect<void, UploadFailure> {
    const { context, dirs } = this
    const verdict = this.policy.decide(entry)
    if (verdict._tag === "Skip") return Effect.void
    if (verdict._tag === "Refuse") return Effect.sync(() => skip(context, entry.name, verdict.message))
    const name = verdict.path
    return Effect.gen(this, function*() {
      const parent = yield* dirs.ensure(parentOf(name))
      if (parent === "refused") {
        context.skipped.count++ // the directory's own warning covers what is below it
        return
      }
      if (entry.type === "directory") return yield* dirs.entry(name, entry.mode, entry.mtime, parent)
      if (entry.type === "symlink") {
        this.symlinks.push({ name, linkname: entry.linkname, parentCreated: parent === "created" })
        return
      }
      yield* context.window.room
      this.upload = new FileUpload(context, { name, mode: entry.mode, mtime: entry.mtime, parentCreated: parent === "created" })
    })
  }
}
