import { Flags } from "@oclif/core"
import { DateTime, Effect } from "effect"
import { formatTable } from "../../cli/table.js"
import { webhookAttemptJson, webhookIdFlag } from "../../cli/WebhookView.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class WebhookDeliveries extends HubCommand {
  static override summary = "Show a webhook's delivery log: every attempt, newest first."
  static override description = withExitStatus(
    "One line per attempt: the event, the attempt number, the receiver's HTTP status (or '-' when it did " +
      "not answer), the error and when. A delivery is retried with exponential backoff until a 2xx answer, " +
      "at most 8 times; its status is pending, delivered or dead."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> --webhook-id 7d1e…", "<%= config.bin %> <%= command.id %> --webhook-id 7d1e… --limit 20 --json"]
  static override flags = {
    "webhook-id": Flags.string({ required: true, summary: "The webhook whose deliveries to show." }),
    limit: Flags.integer({ min: 1, max: 500, summary: "Most attempts to show (1-500, default 100)." })
  }

  async run() {
    const { flags } = await this.parse(WebhookDeliveries)
    const attempts = await this.runWithHub(flags, (hub) =>
      Effect.flatMap(webhookIdFlag(flags["webhook-id"]), (id) =>
        hub.webhooks.deliveries({ path: { id }, urlParams: flags.limit === undefined ? {} : { limit: flags.limit } })))
    this.log(formatTable(attempts, [
      ["at", (a) => DateTime.formatIso(a.at)],
      ["event", (a) => a.event],
      ["event id", (a) => a.eventId],
      ["attempt", (a) => String(a.attempt)],
      ["status", (a) => (a.statusCode === null ? "-" : String(a.statusCode))],
      ["delivery", (a) => a.deliveryStatus],
      ["error", (a) => a.error ?? ""]
    ]))
    return attempts.map(webhookAttemptJson)
  }
}
