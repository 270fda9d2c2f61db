import { Flags } from "@oclif/core"
import { DateTime, Effect } from "effect"
import { SnapshotId } from "../../shared/contract/Ids.js"
import { formatBytes } from "../../cli/formatBytes.js"
import { parseId, sourceIdFlag } from "../../cli/InputInvalid.js"
import { snapshotJson } from "../../cli/json.js"
import { formatTable } from "../../cli/table.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class SnapshotList extends HubCommand {
  static override summary = "List a source's snapshots, newest first."
  static override description = withExitStatus(
    "Sizes are of the encrypted artifact. Deleted snapshots are left out unless --include-deleted. " +
      "Pages with --before: the human output ends with the command for the next page; with --json, " +
      "pass nextBefore (null on the last page)."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e",
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --limit 10 --json"
  ]
  static override flags = {
    "source-id": Flags.string({ required: true, summary: "The source whose snapshots to list." }),
    limit: Flags.integer({ min: 1, max: 500, summary: "Most snapshots to show (1-500, default 50)." }),
    before: Flags.string({ summary: "Only snapshots older than this snapshot id (the next page)." }),
    "include-deleted": Flags.boolean({ summary: "Also list deleted snapshots (kept for audit)." })
  }

  async run() {
    const { flags } = await this.parse(SnapshotList)
    const page = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const id = yield* sourceIdFlag(flags["source-id"])
        const before = flags.before === undefined ? undefined : yield* parseId(SnapshotId, flags.before, "snapshot id", "--before")
        return yield* hub.snapshots.listForSource({
          path: { id },
          urlParams: {
            ...(flags.limit === undefined ? {} : { limit: flags.limit }),
            ...(before === undefined ? {} : { before }),
            ...(flags["include-deleted"] ? { includeDeleted: true } : {})
          }
        })
      }))
    this.log(formatTable(page.snapshots, [
      ["id", (s) => s.id],
      ["created", (s) => DateTime.formatIso(s.createdAt)],
      ["size", (s) => formatBytes(s.sizeBytes)],
      ["files", (s) => String(s.fileCount)],
      ["worker", (s) => s.workerId],
      ["status", (s) => s.status],
      ["verified", (s) => (s.verifiedAt === null ? "-" : DateTime.formatIso(s.verifiedAt))],
      ["tags", (s) => s.tags.join(",")]
    ]))
    if (page.nextBefore !== null) {
      const limit = flags.limit === undefined ? "" : ` --limit ${flags.limit}`
      const deleted = flags["include-deleted"] ? " --include-deleted" : ""
      this.log(`\nmore: ${this.config.bin} snapshot list --source-id ${flags["source-id"]}${limit}${deleted} --before ${page.nextBefore}`)
    }
    return { snapshots: page.snapshots.map(snapshotJson), nextBefore: page.nextBefore }
  }
}
