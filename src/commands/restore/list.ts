import { Flags } from "@oclif/core"
import { DateTime, Effect } from "effect"
import { JobId } from "../../shared/contract/Ids.js"
import { parseId, sourceIdFlag } from "../../cli/InputInvalid.js"
import { jobJson } from "../../cli/json.js"
import { formatTable } from "../../cli/table.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class RestoreList extends HubCommand {
  static override summary = "List restores, newest first."
  static override description = withExitStatus(
    "An admin token lists every tenant's restores, a tenant token its own. Pages with --before: the human " +
      "output ends with the command for the next page; with --json, pass nextBefore (null on the last page)."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --source-id 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --limit 10 --json"
  ]
  static override flags = {
    "source-id": Flags.string({ summary: "Only restores of this source's snapshots." }),
    limit: Flags.integer({ min: 1, max: 500, summary: "Most restores to show (1-500, default 50)." }),
    before: Flags.string({ summary: "Only restores older than this restore id (the next page)." })
  }

  async run() {
    const { flags } = await this.parse(RestoreList)
    const page = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const sourceId = flags["source-id"] === undefined ? undefined : yield* sourceIdFlag(flags["source-id"])
        const before = flags.before === undefined ? undefined : yield* parseId(JobId, flags.before, "restore id", "--before")
        return yield* hub.restores.list({
          urlParams: {
            ...(sourceId === undefined ? {} : { sourceId }),
            ...(flags.limit === undefined ? {} : { limit: flags.limit }),
            ...(before === undefined ? {} : { before })
          }
        })
      }))
    this.log(formatTable(page.restores, [
      ["id", (r) => r.id],
      ["created", (r) => DateTime.formatIso(r.createdAt)],
      ["snapshot", (r) => r.snapshotId ?? "-"],
      ["to", (r) => r.restore?.to ?? "-"],
      ["status", (r) => r.status],
      ["includes", (r) => r.restore?.includes.join(",") ?? ""]
    ]))
    if (page.nextBefore !== null) {
      const source = flags["source-id"] === undefined ? "" : ` --source-id ${flags["source-id"]}`
      const limit = flags.limit === undefined ? "" : ` --limit ${flags.limit}`
      this.log(`\nmore: ${this.config.bin} restore list${source}${limit} --before ${page.nextBefore}`)
    }
    return { restores: page.restores.map(jobJson), nextBefore: page.nextBefore }
  }
}
