import { Args } from "@oclif/core"
import { Effect } from "effect"
import { ScheduleId } from "../../shared/contract/Schedules.js"
import { parseId } from "../../cli/InputInvalid.js"
import { scheduleJson } from "../../cli/json.js"
import { scheduleLines } from "../../cli/ScheduleFlags.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class ScheduleShow extends HubCommand {
  static override summary = "Show one schedule: cron, time zone, next due time and retention policy."
  static override description = withExitStatus(
    "Times are shown in the schedule's time zone; --json gives them in UTC. A tenant token may show only " +
      "its own tenant's schedules."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> 5a7c9e1f-3b2d-4c6e-8f0a-1b2c3d4e5f60 --json"]
  static override args = { id: Args.string({ required: true, description: "Schedule id." }) }

  async run() {
    const { args, flags } = await this.parse(ScheduleShow)
    const schedule = await this.runWithHub(flags, (hub) =>
      parseId(ScheduleId, args.id, "schedule id").pipe(Effect.flatMap((id) => hub.schedules.get({ path: { id } }))))
    this.log(scheduleLines(schedule).join("\n"))
    return scheduleJson(schedule)
  }
}
