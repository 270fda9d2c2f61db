import { readFile } from "node:fs/promises"
import { Flags } from "@oclif/core"
import { DateTime, Effect, Either, ParseResult, Schema } from "effect"
import type { SnapshotId, SourceId } from "../../shared/contract/Ids.js"
import type { SnapshotPage } from "../../shared/contract/Snapshots.js"
import { newestFirst, type RetentionSnapshot } from "../../shared/retention/Apply.js"
import { planRetention } from "../../shared/retention/Plan.js"
import type { RetentionPolicy } from "../../shared/retention/Policy.js"
import { SnapshotsJson, toRetentionSnapshots } from "../../shared/retention/SnapshotsJson.js"
import { isValidTimeZone } from "../../shared/schedule/Timezone.js"
import { formatLocalTime } from "../../shared/schedule/WallClock.js"
import { type HubApiClient, makeHubClient } from "../../cli/HubClient.js"
import { InputInvalid, sourceIdFlag } from "../../cli/InputInvalid.js"
import { hasPolicyFlags, policyFromFlags, retentionFlags } from "../../cli/RetentionFlags.js"
import { runEffect } from "../../cli/runEffect.js"
import { formatTable } from "../../cli/table.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

/** Every snapshot newest first; `reasons` is absent for the ones the policy removes. */
interface Preview {
  readonly timeZone: string
  readonly rows: ReadonlyArray<{ readonly id: string; readonly time: Date; readonly reasons?: ReadonlyArray<string> }>
}

const previewOf = (snapshots: ReadonlyArray<RetentionSnapshot>, policy: RetentionPolicy, timeZone: string): Preview => {
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

/**
 * `--source-id`: the plan for a source's `available` snapshots on the Hub (others are no copy to
 * keep). `policy` and `timeZone` are undefined when the command line gives none; until the Hub
 * can default them to the source's schedule, that means the empty policy (keep all) and UTC.
 */
const previewOfSource = (hub: HubApiClient, id: SourceId, policy: RetentionPolicy | undefined, timeZone: string | undefined) =>
  Effect.gen(function*() {
    const snapshots: Array<RetentionSnapshot> = []
    let before: SnapshotId | null = null
    do {
      const page: typeof SnapshotPage.Type = yield* hub.snapshots.listForSource({
        path: { id },
        urlParams: { limit: 500, ...(before === null ? {} : { before }) }
      })
      for (const s of page.snapshots) {
        if (s.status === "available") snapshots.push({ id: s.id, time: new Date(DateTime.toEpochMillis(s.createdAt)), tags: s.tags })
      }
      before = page.nextBefore
    } while (before !== null)
    return previewOf(snapshots, policy ?? {}, timeZone ?? "UTC")
  })

export default class RetentionPreview extends HubCommand {
  static override summary = "Show which snapshots a retention policy keeps and which it removes, changing nothing."
  static override description = withExitStatus(
    "Applies the policy the flags describe, as the Hub would: restic's forget rules, except that a " +
      "policy without rules keeps everything and the newest snapshot is always kept (docs/retention.md). " +
      "--from-file needs no Hub: a JSON array of {\"id\", \"time\" (RFC 3339), \"tags\"?}, such as " +
      "`restic snapshots --json` prints. --source-id previews a source's available snapshots on the Hub. " +
      "Hours, days, weeks, months and years are those of --timezone."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --from-file snapshots.json --keep-daily 7 --keep-weekly 4 --keep-monthly 12",
    "<%= config.bin %> <%= command.id %> --from-file snapshots.json --keep-within 30d --keep-tag release --timezone Europe/Berlin --json",
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --keep-last 10"
  ]
  static override flags = {
    "from-file": Flags.string({ summary: "JSON file of snapshots to preview; needs no Hub.", helpValue: "FILE", exclusive: ["source-id"] }),
    "source-id": Flags.string({ summary: "Preview the available snapshots of this source on the Hub.", exclusive: ["from-file"] }),
    timezone: Flags.string({ summary: "IANA time zone of the hour/day/week/month/year buckets (default UTC)." }),
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
      return yield* previewOfSource(hub, id, hasPolicyFlags(flags) ? policy : undefined, timeZone)
    }))
    this.log(formatTable(preview.rows, [
      ["snapshot", (row) => row.id],
      ["time", (row) => formatLocalTime(row.time.getTime(), preview.timeZone)],
      ["action", (row) => (row.reasons === undefined ? "remove" : "keep")],
      ["reasons", (row) => row.reasons?.join(", ") ?? ""]
    ]))
    const keep = preview.rows.flatMap(({ id, reasons }) => (reasons === undefined ? [] : [{ id, reasons }]))
    const remove = preview.rows.flatMap(({ id, reasons }) => (reasons === undefined ? [{ id }] : []))
    this.log(`\nkeep ${keep.length}, remove ${remove.length} (buckets in ${preview.timeZone})`)
    return { keep, remove }
  }
}
