import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { webhookIdFlag } from "../../cli/WebhookView.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class WebhookDelete extends HubCommand {
  static override summary = "Delete a webhook: nothing more is sent to it, pending deliveries included."
  static override description = withExitStatus("A tenant token may delete only its own tenant's webhooks.")
  static override examples = ["<%= config.bin %> <%= command.id %> --webhook-id 7d1e…"]
  static override flags = {
    "webhook-id": Flags.string({ required: true, summary: "The webhook to delete." })
  }

  async run() {
    const { flags } = await this.parse(WebhookDelete)
    const id = await this.runWithHub(flags, (hub) =>
      webhookIdFlag(flags["webhook-id"]).pipe(Effect.tap((id) => hub.webhooks.delete({ path: { id } }))))
    this.log(`deleted webhook ${id}`)
    return { id, deleted: true }
  }
}
