import { Args, Flags } from "@oclif/core"
import { Effect } from "effect"
import { ScheduleId, UpdateSchedule } from "../../shared/contract/Schedules.js"
import { InputInvalid, parseId } from "../../cli/InputInvalid.js"
import { scheduleJson } from "../../cli/json.js"
import { hasPolicyFlags, policyFromFlags, retentionFlags } from "../../cli/RetentionFlags.js"
import { CRON_SUMMARY, flagOfScheduleField, scheduleLines, timezoneFlag, verifyEveryFlag, verifyEveryOf } from "../../cli/ScheduleFlags.js"
import { validateFlags } from "../../cli/validateFlags.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

const policyFlagNames = Object.keys(retentionFlags)

export default class ScheduleUpdate extends HubCommand {
  static override summary = "Change a schedule's timing, state or retention policy."
  static override description = withExitStatus(
    "Only what the flags name changes. Policy flags replace the whole policy (rules not given are " +
      "dropped); --clear-retention sets the empty policy, which keeps every snapshot. A new cron, time " +
      "zone or --enable computes the next due time afresh; --disable clears it."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> 5a7c9e1f-3b2d-4c6e-8f0a-1b2c3d4e5f60 --cron '30 2 * * MON-FRI' --timezone America/New_York",
    {
      description: "Replace the retention policy:",
      command: "<%= config.bin %> <%= command.id %> 5a7c9e1f-3b2d-4c6e-8f0a-1b2c3d4e5f60 --keep-last 3 --keep-daily 14"
    },
    "<%= config.bin %> <%= command.id %> 5a7c9e1f-3b2d-4c6e-8f0a-1b2c3d4e5f60 --disable --json"
  ]
  static override args = { id: Args.string({ required: true, description: "Schedule id." }) }
  static override flags = {
    cron: Flags.string({ summary: CRON_SUMMARY, helpValue: "EXPR" }),
    timezone: timezoneFlag,
    "verify-every": verifyEveryFlag,
    enable: Flags.boolean({ summary: "Run it again from the next due time.", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Stop scheduled backups (and their retention) until --enable.", exclusive: ["enable"] }),
    "clear-retention": Flags.boolean({ summary: "Set the empty policy: keep every snapshot.", exclusive: policyFlagNames }),
    ...retentionFlags
  }

  async run() {
    const { args, flags } = await this.parse(ScheduleUpdate)
    const schedule = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const id = yield* parseId(ScheduleId, args.id, "schedule id")
        const retention = flags["clear-retention"] ? {} : hasPolicyFlags(flags) ? yield* policyFromFlags(flags) : undefined
        const enabled = flags.enable ? true : flags.disable ? false : undefined
        const change = {
          ...(flags.cron === undefined ? {} : { cron: flags.cron }),
          ...(flags.timezone === undefined ? {} : { timezone: flags.timezone }),
          ...(enabled === undefined ? {} : { enabled }),
          ...(retention === undefined ? {} : { retention }),
          ...(flags["verify-every"] === undefined ? {} : { verifyEvery: verifyEveryOf(flags["verify-every"]) })
        }
        if (Object.keys(change).length === 0) {
          return yield* new InputInvalid({
            message: "nothing to change: give --cron, --timezone, --verify-every, --enable, --disable, policy flags or --clear-retention"
          })
        }
        const payload = yield* validateFlags(UpdateSchedule, change, flagOfScheduleField)
        return yield* hub.schedules.update({ path: { id }, payload })
      }))
    this.log(scheduleLines(schedule).join("\n"))
    return scheduleJson(schedule)
  }
}
