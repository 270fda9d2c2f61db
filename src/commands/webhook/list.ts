import { Flags } from "@oclif/core"
import { DateTime, Effect } from "effect"
import { tenantIdFlag } from "../../cli/InputInvalid.js"
import { formatTable } from "../../cli/table.js"
import { webhookJson } from "../../cli/WebhookView.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class WebhookList extends HubCommand {
  static override summary = "List a tenant's webhooks."
  static override description = withExitStatus("Secrets are never shown again after 'webhook create'.")
  static override examples = ["<%= config.bin %> <%= command.id %> --tenant-id T", "<%= config.bin %> <%= command.id %> --tenant-id T --json"]
  static override flags = {
    "tenant-id": Flags.string({ required: true, summary: "The tenant whose webhooks to list." })
  }

  async run() {
    const { flags } = await this.parse(WebhookList)
    const webhooks = await this.runWithHub(flags, (hub) =>
      Effect.flatMap(tenantIdFlag(flags["tenant-id"]), (tenantId) => hub.webhooks.list({ path: { tenantId } })))
    this.log(formatTable(webhooks, [
      ["id", (w) => w.id],
      ["url", (w) => w.url],
      ["events", (w) => w.events.join(",")],
      ["created", (w) => DateTime.formatIso(w.createdAt)]
    ]))
    return webhooks.map(webhookJson)
  }
}
