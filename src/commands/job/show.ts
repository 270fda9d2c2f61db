import { Args } from "@oclif/core"
import { Effect } from "effect"
import { JobId } from "../../shared/contract/Ids.js"
import { parseId } from "../../cli/InputInvalid.js"
import { attemptText, countersText, resultText, resultWarnings } from "../../cli/jobText.js"
import { jobJson } from "../../cli/json.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class JobShow extends HubCommand {
  static override summary = "Show one job: status, attempts, progress, result or error."
  static override description = withExitStatus(
    "A tenant token may show only its own tenant's jobs. To follow a job until it ends, use 'job wait'."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> 3d9f5a2e-7c1b-4e8a-9f60-2b1c0d4e5f6a --json"]
  static override args = { id: Args.string({ required: true, description: "Job id." }) }

  async run() {
    const { args, flags } = await this.parse(JobShow)
    const job = await this.runWithHub(flags, (hub) =>
      parseId(JobId, args.id, "job id").pipe(Effect.flatMap((id) => hub.jobs.get({ path: { id } }))))
    const json = jobJson(job)
    const r = job.result
    this.log([
      `${json.type} job ${json.id}`,
      `  status     ${json.status}, ${attemptText(job)}${json.workerId === null ? "" : ` on worker ${json.workerId}`}`,
      `  tenant     ${json.tenantId}`,
      `  source     ${json.sourceId ?? "-"}`,
      `  snapshot   ${json.snapshotId ?? "-"}`,
      `  tags       ${json.tags.length > 0 ? json.tags.join(", ") : "-"}`,
      `  progress   ${json.progress === null ? "-" : `${countersText(json.progress)}, ${json.progress.dirs} dirs`}`,
      `  result     ${r === null ? "-" : resultText(r)}`,
      ...(r === null ? [] : resultWarnings(r)).map((w) => `  warning    ${w.path}: ${w.message}`),
      `  error      ${json.error ?? "-"}`,
      `  created    ${json.createdAt}`,
      `  started    ${json.startedAt ?? "-"}`,
      `  finished   ${json.finishedAt ?? "-"}`
    ].join("\n"))
    return json
  }
}
