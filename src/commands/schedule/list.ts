import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { sourceIdFlag } from "../../cli/InputInvalid.js"
import { scheduleJson } from "../../cli/json.js"
import { localTime, policyText } from "../../cli/ScheduleFlags.js"
import { formatTable } from "../../cli/table.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class ScheduleList extends HubCommand {
  static override summary = "List backup schedules, oldest first."
  static override description = withExitStatus(
    "An admin token lists every tenant's schedules, a tenant token its own. Next due times are shown in " +
      "each schedule's time zone; --json gives them in UTC."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --json"
  ]
  static override flags = {
    "source-id": Flags.string({ summary: "Only the schedule of this source." })
  }

  async run() {
    const { flags } = await this.parse(ScheduleList)
    const schedules = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const sourceId = flags["source-id"] === undefined ? undefined : yield* sourceIdFlag(flags["source-id"])
        return yield* hub.schedules.list({ urlParams: sourceId === undefined ? {} : { sourceId } })
      }))
    this.log(formatTable(schedules, [
      ["id", (s) => s.id],
      ["source", (s) => s.sourceId],
      ["cron", (s) => s.cron],
      ["timezone", (s) => s.timezone],
      ["enabled", (s) => (s.enabled ? "yes" : "no")],
      ["next due", (s) => localTime(s.nextDueAt, s.timezone)],
      ["retention", (s) => policyText(s.retention)]
    ]))
    return { schedules: schedules.map(scheduleJson) }
  }
}
