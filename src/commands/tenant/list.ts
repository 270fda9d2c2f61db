import { DateTime } from "effect"
import { tenantJson } from "../../cli/json.js"
import { formatTable } from "../../cli/table.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class TenantList extends HubCommand {
  static override summary = "List tenants (an admin sees all; a tenant token sees its own)."
  static override description = withExitStatus("Sorted by name.")
  static override examples = ["<%= config.bin %> <%= command.id %>", "<%= config.bin %> <%= command.id %> --json"]

  async run() {
    const { flags } = await this.parse(TenantList)
    const tenants = await this.runWithHub(flags, (hub) => hub.tenants.list())
    this.log(formatTable<(typeof tenants)[number]>(tenants, [
      ["id", (t) => t.id],
      ["name", (t) => t.name],
      ["public key", (t) => t.publicKey],
      ["created", (t) => DateTime.formatIso(t.createdAt)]
    ]))
    return tenants.map(tenantJson)
  }
}
