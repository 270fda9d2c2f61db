import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { CreateSchedule } from "../../shared/contract/Schedules.js"
import { sourceIdFlag } from "../../cli/InputInvalid.js"
import { scheduleJson } from "../../cli/json.js"
import { policyFromFlags, retentionFlags } from "../../cli/RetentionFlags.js"
import { CRON_SUMMARY, flagOfScheduleField, scheduleLines, timezoneFlag, verifyEveryFlag, verifyEveryOf } from "../../cli/ScheduleFlags.js"
import { validateFlags } from "../../cli/validateFlags.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class ScheduleCreate extends HubCommand {
  static override summary = "Back up a source on a cron schedule, keeping the snapshots a retention policy selects."
  static override description = withExitStatus(
    "A source has at most one schedule: a second is a conflict (4) naming the first; change it with " +
      "'schedule update'. The cron fields are read in --timezone (default UTC), daylight saving included. " +
      "After every successful backup the Hub applies the retention policy: without policy flags every " +
      "snapshot is kept. Preview a policy first with 'retention preview --source-id'. With --verify-every the " +
      "Hub also verifies the source's snapshots on their worker, one at a time, each once per interval; a " +
      "corrupt one is marked so and raises the snapshot.corrupt webhook event."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --cron '0 3 * * *'",
    {
      description: "Nightly at 03:00 Berlin time, keeping 7 daily, 4 weekly and 12 monthly snapshots:",
      command:
        "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --cron '0 3 * * *' --timezone Europe/Berlin --keep-daily 7 --keep-weekly 4 --keep-monthly 12"
    },
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --cron '*/30 * * * *' --disabled --json"
  ]
  static override flags = {
    "source-id": Flags.string({ required: true, summary: "The source to back up." }),
    cron: Flags.string({ required: true, summary: CRON_SUMMARY, helpValue: "EXPR" }),
    timezone: timezoneFlag,
    "verify-every": verifyEveryFlag,
    disabled: Flags.boolean({ summary: "Create it disabled: nothing runs until 'schedule update --enable'." }),
    ...retentionFlags
  }

  async run() {
    const { flags } = await this.parse(ScheduleCreate)
    const schedule = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const sourceId = yield* sourceIdFlag(flags["source-id"])
        const payload = yield* validateFlags(CreateSchedule, {
          sourceId,
          cron: flags.cron,
          timezone: flags.timezone ?? "UTC",
          enabled: !flags.disabled,
          retention: yield* policyFromFlags(flags),
          verifyEvery: verifyEveryOf(flags["verify-every"]) ?? null
        }, flagOfScheduleField)
        return yield* hub.schedules.create({ payload })
      }))
    this.log(scheduleLines(schedule).join("\n"))
    return scheduleJson(schedule)
  }
}
