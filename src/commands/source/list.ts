import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { tenantIdFlag } from "../../cli/InputInvalid.js"
import { sourceJson } from "../../cli/json.js"
import { formatTable } from "../../cli/table.js"
import { sourceTarget } from "../../shared/contract/Sources.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class SourceList extends HubCommand {
  static override summary = "List a tenant's sources."
  static override description = withExitStatus("Credentials are never shown.")
  static override examples = ["<%= config.bin %> <%= command.id %> --tenant-id T", "<%= config.bin %> <%= command.id %> --tenant-id T --json"]
  static override flags = {
    "tenant-id": Flags.string({ required: true, summary: "The tenant whose sources to list." })
  }

  async run() {
    const { flags } = await this.parse(SourceList)
    const sources = await this.runWithHub(flags, (hub) =>
      Effect.flatMap(tenantIdFlag(flags["tenant-id"]), (tenantId) => hub.sources.list({ path: { tenantId } })))
    this.log(formatTable(sources, [
      ["id", (s) => s.id],
      ["name", (s) => s.name],
      ["kind", (s) => s.kind],
      ["target", sourceTarget],
      ["auth", (s) => ("authMethod" in s ? s.authMethod : "-")],
      ["paths", (s) => s.paths.join(",")],
      ["host key", (s) => ("hostKey" in s ? s.hostKey ?? "(first use)" : "-")]
    ]))
    return sources.map(sourceJson)
  }
}
