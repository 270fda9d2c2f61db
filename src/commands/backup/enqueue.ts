import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { EnqueueBackup } from "../../shared/contract/Jobs.js"
import { followJob } from "../../cli/followJob.js"
import { sourceIdFlag, validateInput } from "../../cli/InputInvalid.js"
import { succeededLines } from "../../cli/jobText.js"
import { jobJson } from "../../cli/json.js"
import { stderrProgress } from "../../cli/ProgressLine.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class BackupEnqueue extends HubCommand {
  static override summary = "Queue a backup of a source; with --wait, follow it to the end."
  static override description = withExitStatus(
    "The snapshot id is allocated up front and printed at once. A source has at most one queued or " +
      "running backup: another is a conflict (4) that names the active job. With --wait the command " +
      "shows progress on stderr (a live line on a terminal, a line per change at most once a second " +
      "otherwise) and exits 0 when the backup succeeded, 1 when it failed or was cancelled. " +
      "Ctrl-C stops the waiting, not the backup: 'job wait' picks it up again."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e",
    {
      description: "Tag the snapshot and wait for the result:",
      command: "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --tag nightly --wait"
    },
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --json"
  ]
  static override flags = {
    "source-id": Flags.string({ required: true, summary: "The source to back up." }),
    tag: Flags.string({ multiple: true, summary: "Tag for the snapshot (repeatable, up to 32)." }),
    wait: Flags.boolean({ summary: "Follow the job until it ends; exit 1 if it fails." })
  }

  async run() {
    const { flags } = await this.parse(BackupEnqueue)
    const job = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const id = yield* sourceIdFlag(flags["source-id"])
        const payload = yield* validateInput(EnqueueBackup, { tags: flags.tag ?? [] })
        return yield* hub.jobs.enqueueBackup({ path: { id }, payload })
      }).pipe(
        Effect.tap((queued) =>
          Effect.sync(() => this.log(`queued backup job ${queued.id} (snapshot ${queued.snapshotId}) for source ${queued.sourceId}`))
        ),
        Effect.flatMap((queued) => (flags.wait ? followJob(hub, queued, stderrProgress(this.jsonEnabled())) : Effect.succeed(queued)))
      ))
    if (flags.wait) for (const line of succeededLines(job)) this.log(line)
    return jobJson(job)
  }
}
