import { Flags } from "@oclif/core"
import { DateTime, Effect } from "effect"
import { tenantIdFlag } from "../../cli/InputInvalid.js"
import { auditEntryJson } from "../../cli/json.js"
import { formatTable } from "../../cli/table.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class AuditList extends HubCommand {
  static override summary = "Show the audit log: who did what, when (newest first)."
  static override description = withExitStatus(
    "Admins see every entry, optionally for one tenant; a tenant token sees its own tenant's entries. " +
      "Pages with --before: the human output ends with the command for the next page."
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --limit 20",
    "<%= config.bin %> <%= command.id %> --tenant-id T --json"
  ]
  static override flags = {
    "tenant-id": Flags.string({ summary: "Only this tenant's entries." }),
    limit: Flags.integer({ min: 1, max: 500, default: 50, summary: "Most entries to show (1-500)." }),
    before: Flags.integer({ min: 1, summary: "Only entries older than this entry id (the next page)." })
  }

  async run() {
    const { flags } = await this.parse(AuditList)
    const page = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const tenantId = flags["tenant-id"] === undefined ? undefined : yield* tenantIdFlag(flags["tenant-id"])
        return yield* hub.audit.list({
          urlParams: {
            limit: flags.limit,
            ...(tenantId === undefined ? {} : { tenantId }),
            ...(flags.before === undefined ? {} : { before: flags.before })
          }
        })
      }))
    this.log(formatTable(page.entries, [
      ["id", (e) => String(e.id)],
      ["at", (e) => DateTime.formatIso(e.at)],
      ["actor", (e) => `${e.actorRole}:${e.actorSubject}`],
      ["action", (e) => e.action],
      ["resource", (e) => `${e.resourceType} ${e.resourceId ?? ""}`.trim()]
    ]))
    if (page.nextBefore !== null) this.log(`\nmore: ${this.config.bin} audit list --before ${page.nextBefore}`)
    return { entries: page.entries.map(auditEntryJson), nextBefore: page.nextBefore }
  }
}
