import { Args } from "@oclif/core"
import { Effect } from "effect"
import { JobId } from "../../shared/contract/Ids.js"
import { parseId } from "../../cli/InputInvalid.js"
import { jobOutcomeLines } from "../../cli/jobLines.js"
import { attemptText } from "../../cli/jobText.js"
import { jobJson } from "../../cli/json.js"
import { includesText, restoreTargetText } from "../../cli/restoreText.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class RestoreShow extends HubCommand {
  static override summary = "Show one restore: what was asked, its status, progress, result or error."
  static override description = withExitStatus(
    "A restore is a job of type restore: 'job wait' follows it. A tenant token may show only its own tenant's restores."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> 3d9f5a2e-7c1b-4e8a-9f60-2b1c0d4e5f6a --json"]
  static override args = { id: Args.string({ required: true, description: "Restore id (its job id)." }) }

  async run() {
    const { args, flags } = await this.parse(RestoreShow)
    const job = await this.runWithHub(flags, (hub) =>
      parseId(JobId, args.id, "restore id").pipe(Effect.flatMap((id) => hub.restores.get({ path: { id } }))))
    this.log([
      `restore ${job.id}`,
      `  status     ${job.status}, ${attemptText(job)}${job.workerId === null ? "" : ` on worker ${job.workerId}`}`,
      `  snapshot   ${job.snapshotId ?? "-"} (source ${job.sourceId ?? "-"})`,
      `  to         ${job.restore === null ? "-" : restoreTargetText(job.restore)}`,
      `  includes   ${job.restore === null ? "-" : includesText(job.restore)}`,
      ...jobOutcomeLines(job)
    ].join("\n"))
    return jobJson(job)
  }
}
