import { Args } from "@oclif/core"
import { Effect } from "effect"
import { JobId } from "../../shared/contract/Ids.js"
import { followJob } from "../../cli/followJob.js"
import { parseId } from "../../cli/InputInvalid.js"
import { succeededLines } from "../../cli/jobText.js"
import { jobJson } from "../../cli/json.js"
import { stderrProgress } from "../../cli/ProgressLine.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class JobWait extends HubCommand {
  static override summary = "Follow a job until it ends; exit 0 if it succeeded, 1 if it failed."
  static override description = withExitStatus(
    "Progress and retries go to stderr: a live line on a terminal, otherwise a line per change at most " +
      "once a second. A job that already ended is reported at once. Ctrl-C stops the waiting, not the job. " +
      "With --json the finished job is printed to stdout."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> 3d9f5a2e-7c1b-4e8a-9f60-2b1c0d4e5f6a",
    "<%= config.bin %> <%= command.id %> 3d9f5a2e-7c1b-4e8a-9f60-2b1c0d4e5f6a --json > job.json"
  ]
  static override args = { id: Args.string({ required: true, description: "Job id." }) }

  async run() {
    const { args, flags } = await this.parse(JobWait)
    const job = await this.runWithHub(flags, (hub) =>
      parseId(JobId, args.id, "job id").pipe(
        Effect.flatMap((id) => hub.jobs.get({ path: { id } })),
        Effect.flatMap((first) => followJob(hub, first, stderrProgress(this.jsonEnabled())))
      ))
    for (const line of succeededLines(job)) this.log(line)
    return jobJson(job)
  }
}
