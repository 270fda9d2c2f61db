import { Args } from "@oclif/core"
import { Effect } from "effect"
import { ScheduleId } from "../../shared/contract/Schedules.js"
import { parseId } from "../../cli/InputInvalid.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class ScheduleDelete extends HubCommand {
  static override summary = "Delete a schedule: no more scheduled backups or retention for its source."
  static override description = withExitStatus(
    "The source's snapshots stay as they are, and so do backups already queued. A tenant token may " +
      "delete only its own tenant's schedules."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> 5a7c9e1f-3b2d-4c6e-8f0a-1b2c3d4e5f60"]
  static override args = { id: Args.string({ required: true, description: "Schedule id." }) }

  async run() {
    const { args, flags } = await this.parse(ScheduleDelete)
    const id = await this.runWithHub(flags, (hub) =>
      parseId(ScheduleId, args.id, "schedule id").pipe(
        Effect.tap((id) => hub.schedules.delete({ path: { id } }))
      ))
    this.log(`deleted schedule ${id}`)
    return { id, deleted: true }
  }
}
