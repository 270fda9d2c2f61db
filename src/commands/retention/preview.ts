import { readFile } from "node:fs/promises"
import { Flags } from "@oclif/core"
import { Effect, Either, ParseResult, Schema } from "effect"
import { newestFirst, type RetentionSnapshot } from "../../shared/retention/Apply.js"
import { planRetention } from "../../shared/retention/Plan.js"
import type { RetentionPolicy } from "../../shared/retention/Policy.js"
import { SnapshotsJson, toRetentionSnapshots } from "../../shared/retention/SnapshotsJson.js"
import { isValidTimeZone } from "../../shared/schedule/Timezone.js"
import { makeHubClient } from "../../cli/HubClient.js"
import { InputInvalid, sourceIdFlag } from "../../cli/InputInvalid.js"
import { hasPolicyFlags, policyFromFlags, retentionFlags } from "../../cli/RetentionFlags.js"
import { keepRemoveJson, retentionText, type RetentionView, viewOfPlan } from "../../cli/RetentionView.js"
import { runEffect } from "../../cli/runEffect.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

const previewOf = (snapshots: ReadonlyArray<RetentionSnapshot>, policy: RetentionPolicy, timeZone: string): RetentionView => {
  const reasonsOf = new Map(planRetention(snapshots, policy, timeZone).keep.map((k) => [k.id, k.reasons]))
  return { timeZone, rows: newestFirst(snapshots).map(({ id, time }) => ({ id, time, ...(reasonsOf.has(id) ? { reasons: reasonsOf.get(id)! } : {}) })) }
}

/** `--from-file`: a JSON array of `{ id, time, tags? }`, checked like API input. */
const readSnapshotsFile = (path: string) =>
  Effect.gen(function*() {
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (e) => new InputInvalid({ message: `cannot read --from-file ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}` })
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) => new InputInvalid({ message: `--from-file ${path} is not JSON: ${(e as Error).message}` })
    })
    const snapshots = yield* Either.mapLeft(Schema.decodeUnknownEither(SnapshotsJson)(json), (error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const where = issue?.path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("") ?? ""
      return new InputInvalid({ message: `--from-file ${path}: ${where === "" ? "" : `${where}: `}${issue?.message}` })
    })
    return toRetentionSnapshots(snapshots)
  })

export default class RetentionPreview extends HubCommand {
  static override summary = "Show which snapshots a retention policy keeps and which it removes, changing nothing."
  static override description = withExitStatus(
    "Applies the policy the flags describe, as the Hub would: restic's forget rules, except that a " +
      "policy without rules keeps everything and the newest snapshot is always kept (docs/retention.md). " +
      "--from-file needs no Hub: a JSON array of {\"id\", \"time\" (RFC 3339), \"tags\"?}, such as " +
      "`restic snapshots --json` prints. --source-id previews a source's available snapshots on the Hub; " +
      "without policy flags it uses the policy of the source's schedule (none: keep everything), and " +
      "without --timezone the schedule's time zone. Hours, days, weeks, months and years are those of --timezone."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --from-file snapshots.json --keep-daily 7 --keep-weekly 4 --keep-monthly 12",
    "<%= config.bin %> <%= command.id %> --from-file snapshots.json --keep-within 30d --keep-tag release --timezone Europe/Berlin --json",
    {
      description: "What the policy of the source's schedule would remove now:",
      command: "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e"
    },
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --keep-last 10"
  ]
  static override flags = {
    "from-file": Flags.string({ summary: "JSON file of snapshots to preview; needs no Hub.", helpValue: "FILE", exclusive: ["source-id"] }),
    "source-id": Flags.string({ summary: "Preview the available snapshots of this source on the Hub.", exclusive: ["from-file"] }),
    timezone: Flags.string({
      summary: "IANA time zone of the hour/day/week/month/year buckets (default UTC; with --source-id the schedule's)."
    }),
    ...retentionFlags
  }

  async run() {
    const { flags } = await this.parse(RetentionPreview)
    const preview = await runEffect(this, Effect.gen(function*() {
      const policy = yield* policyFromFlags(flags)
      const timeZone = flags.timezone
      if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
        return yield* new InputInvalid({ message: `--timezone '${timeZone}' is not an IANA time zone (like UTC or Europe/Berlin)` })
      }
      const fromFile = flags["from-file"]
      if (fromFile !== undefined) return previewOf(yield* readSnapshotsFile(fromFile), policy, timeZone ?? "UTC")
      const sourceId = flags["source-id"]
      if (sourceId === undefined) return yield* new InputInvalid({ message: "give the snapshots with --from-file FILE or --source-id ID" })
      const [id, hub] = yield* Effect.zip(sourceIdFlag(sourceId), makeHubClient(flags))
      // without flags the Hub uses the source's schedule: its policy (none: keep all) and time zone (none: UTC)
      const plan = yield* hub.schedules.previewRetention({
        path: { id },
        payload: { ...(hasPolicyFlags(flags) ? { policy } : {}), ...(timeZone === undefined ? {} : { timezone: timeZone }) }
      })
      return viewOfPlan(plan)
    }))
    this.log(retentionText(preview))
    return keepRemoveJson(preview)
  }
}
