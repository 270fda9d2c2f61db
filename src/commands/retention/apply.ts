import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { sourceIdFlag } from "../../cli/InputInvalid.js"
import { retentionPlanJson } from "../../cli/json.js"
import { retentionText, viewOfPlan } from "../../cli/RetentionView.js"
import { policyText } from "../../cli/ScheduleFlags.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class RetentionApply extends HubCommand {
  static override summary = "Apply the retention policy of a source's schedule now: queue the deletion of what it removes."
  static override description = withExitStatus(
    "The Hub does this itself after every successful scheduled backup; this runs it at once. Only " +
      "available snapshots count; the newest is always kept, and a source without a schedule (or with an " +
      "empty policy) keeps everything. Removed snapshots are marked deleting at once and deleted by the " +
      "worker that holds them: follow a deletion with 'job wait'. Preview first with 'retention preview --source-id'."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e",
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --json"
  ]
  static override flags = {
    "source-id": Flags.string({ required: true, summary: "The source whose schedule's policy to apply." })
  }

  async run() {
    const { flags } = await this.parse(RetentionApply)
    const plan = await this.runWithHub(flags, (hub) =>
      sourceIdFlag(flags["source-id"]).pipe(Effect.flatMap((id) => hub.schedules.applyRetention({ path: { id } }))))
    this.log(`policy: ${policyText(plan.policy)}`)
    this.log(retentionText(viewOfPlan(plan)))
    for (const removed of plan.remove) this.log(`queued delete job ${removed.deleteJobId} for snapshot ${removed.id}`)
    return retentionPlanJson(plan)
  }
}
