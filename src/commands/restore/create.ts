import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { SnapshotId, SourceId } from "../../shared/contract/Ids.js"
import { CreateRestore } from "../../shared/contract/Restores.js"
import { followJob } from "../../cli/followJob.js"
import { InputInvalid, parseId } from "../../cli/InputInvalid.js"
import { succeededLines } from "../../cli/jobText.js"
import { jobJson } from "../../cli/json.js"
import { stderrProgress } from "../../cli/ProgressLine.js"
import { queuedRestoreText } from "../../cli/restoreText.js"
import { validateFlags } from "../../cli/validateFlags.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

const flagOfField = { to: "--to", targetSourceId: "--target-source-id", targetPath: "--target-path", includes: "--include" }
const sftpOnly = ["target-source-id", "target-path", "overwrite"] as const

export default class RestoreCreate extends HubCommand {
  static override summary = "Restore a snapshot to an archive or back onto a source; with --wait, follow it to the end."
  static override description = withExitStatus(
    "The restore runs on the worker that holds the snapshot. --to archive (the default) writes restore.tar " +
      "on that worker's storage; --to sftp writes the files to a source over SFTP: the snapshot's own " +
      "(or --target-source-id, of the same tenant), into --target-path (default: a new directory " +
      "xvault-restore-<snapshot id> in the login's home). Existing files are skipped unless --overwrite. " +
      "--include limits the restore to matching entries (a matching directory brings its subtree). " +
      "Only available snapshots can be restored (4 otherwise). With --wait the command shows progress on " +
      "stderr and exits 0 when the restore succeeded, 1 when it failed; Ctrl-C stops the waiting, not the restore."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --snapshot-id 7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b --wait",
    {
      description: "Put two directories back onto the source, replacing what is there:",
      command:
        "<%= config.bin %> <%= command.id %> --snapshot-id 7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b --to sftp --target-path /srv/www --include 'srv/www/uploads' --include 'srv/www/config' --overwrite --wait"
    },
    "<%= config.bin %> <%= command.id %> --snapshot-id 7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b --json"
  ]
  static override flags = {
    "snapshot-id": Flags.string({ required: true, summary: "The snapshot to restore." }),
    to: Flags.option({ options: ["archive", "sftp"] as const, summary: "Where to: restore.tar on the worker, or files over SFTP (default archive)." })(),
    "target-source-id": Flags.string({ summary: "--to sftp: the source to write to (default: the snapshot's own)." }),
    "target-path": Flags.string({ summary: "--to sftp: the directory to write into." }),
    include: Flags.string({ multiple: true, summary: "Only entries matching this glob (repeatable, up to 100)." }),
    overwrite: Flags.boolean({ summary: "--to sftp: replace existing files (never through a symlink)." }),
    wait: Flags.boolean({ summary: "Follow the job until it ends; exit 1 if it fails." })
  }

  async run() {
    const { flags } = await this.parse(RestoreCreate)
    const job = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const id = yield* parseId(SnapshotId, flags["snapshot-id"], "snapshot id", "--snapshot-id")
        const to = flags.to ?? "archive"
        const misplaced = to === "archive" ? sftpOnly.find((flag) => flags[flag]) : undefined
        if (misplaced !== undefined) return yield* new InputInvalid({ message: `--${misplaced} applies only to --to sftp` })
        const target = flags["target-source-id"]
        const targetSourceId = target === undefined ? undefined : yield* parseId(SourceId, target, "source id", "--target-source-id")
        const payload = yield* validateFlags(CreateRestore, {
          to,
          includes: flags.include ?? [],
          overwrite: flags.overwrite === true,
          ...(targetSourceId === undefined ? {} : { targetSourceId }),
          ...(flags["target-path"] === undefined ? {} : { targetPath: flags["target-path"] })
        }, flagOfField)
        return yield* hub.restores.create({ path: { id }, payload })
      }).pipe(
        Effect.tap((queued) => Effect.sync(() => this.log(queuedRestoreText(queued)))),
        Effect.flatMap((queued) => (flags.wait ? followJob(hub, queued, stderrProgress(this.jsonEnabled())) : Effect.succeed(queued)))
      ))
    if (flags.wait) for (const line of succeededLines(job)) this.log(line)
    return jobJson(job)
  }
}
