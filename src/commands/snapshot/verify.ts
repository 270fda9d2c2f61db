import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { SnapshotId } from "../../shared/contract/Ids.js"
import type { Job } from "../../shared/contract/Jobs.js"
import { followJob, JobFailed } from "../../cli/followJob.js"
import { parseId } from "../../cli/InputInvalid.js"
import { succeededLines } from "../../cli/jobText.js"
import { jobJson } from "../../cli/json.js"
import { stderrProgress } from "../../cli/ProgressLine.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

/** A verify job can succeed and still find the snapshot damaged: that is a failure for the user. */
const intactOrFail = (job: Job): Effect.Effect<Job, JobFailed> =>
  job.result !== null && "intact" in job.result && !job.result.intact
    ? Effect.fail(new JobFailed({
      jobId: job.id,
      message: `snapshot ${job.result.snapshotId} is corrupt: ${job.result.problem ?? "no reason given"}`
    }))
    : Effect.succeed(job)

export default class SnapshotVerify extends HubCommand {
  static override summary = "Check a snapshot end to end on the worker that holds it; with --wait, exit 1 if it is corrupt."
  static override description = withExitStatus(
    "The worker reads the whole artifact, checks its size and sha256 against the Hub's record, decrypts " +
      "and decompresses it and reads every tar entry, without writing anything. A damaged snapshot is " +
      "marked corrupt (no longer restorable or counted by retention); verifying it again can clear that. " +
      "With --wait: exit 0 when the snapshot is intact, 1 with what is wrong when it is corrupt or the " +
      "job failed. Only available or corrupt snapshots can be verified (4 otherwise)."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --snapshot-id 7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b --wait",
    "<%= config.bin %> <%= command.id %> --snapshot-id 7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b --json"
  ]
  static override flags = {
    "snapshot-id": Flags.string({ required: true, summary: "The snapshot to verify." }),
    wait: Flags.boolean({ summary: "Follow the job until it ends; exit 1 if the snapshot is corrupt or the job fails." })
  }

  async run() {
    const { flags } = await this.parse(SnapshotVerify)
    const job = await this.runWithHub(flags, (hub) =>
      parseId(SnapshotId, flags["snapshot-id"], "snapshot id", "--snapshot-id").pipe(
        Effect.flatMap((id) => hub.snapshots.verify({ path: { id } })),
        Effect.tap((queued) => Effect.sync(() => this.log(`queued verify job ${queued.id} for snapshot ${queued.snapshotId}`))),
        Effect.flatMap((queued) =>
          flags.wait
            ? followJob(hub, queued, stderrProgress(this.jsonEnabled())).pipe(Effect.flatMap(intactOrFail))
            : Effect.succeed(queued)
        )
      ))
    if (flags.wait) for (const line of succeededLines(job)) this.log(line)
    return jobJson(job)
  }
}
