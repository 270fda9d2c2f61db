import { Flags } from "@oclif/core"
import { Effect, Redacted } from "effect"
import { CreateWebhook, WebhookEventTypes } from "../../shared/contract/Webhooks.js"
import { tenantIdFlag } from "../../cli/InputInvalid.js"
import { validateFlags } from "../../cli/validateFlags.js"
import { webhookJson } from "../../cli/WebhookView.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class WebhookCreate extends HubCommand {
  static override summary = "Send a tenant's events (failed, missed or succeeded backups, corrupt snapshots) to a URL."
  static override description = withExitStatus(
    "The Hub POSTs each event as JSON, signed with a secret it generates: X-Xvault-Signature is " +
      "sha256=HMAC-SHA256(secret, X-Xvault-Timestamp + '.' + body) in hex. The secret is printed now and " +
      "never again; keep it where the receiver can read it. The URL must be http or https and resolve to " +
      "public addresses only (private, loopback and link-local ones are refused unless the Hub runs with " +
      `HUB_WEBHOOK_ALLOW_PRIVATE=true). Events: ${WebhookEventTypes.join(", ")}. See docs/operations.md, Webhooks.`
  )
  static override examples = [
    "<%= config.bin %> <%= command.id %> --tenant-id 3f0c… --url https://hooks.example.com/xvault --events backup.failed,backup.missed,snapshot.corrupt",
    "<%= config.bin %> <%= command.id %> --tenant-id 3f0c… --url https://hooks.example.com/xvault --events backup.succeeded --json"
  ]
  static override flags = {
    "tenant-id": Flags.string({ required: true, summary: "The tenant whose events to send." }),
    url: Flags.string({ required: true, summary: "Where to POST them (http or https)." }),
    events: Flags.string({ required: true, summary: `Comma-separated event types: ${WebhookEventTypes.join(",")}.`, helpValue: "LIST" })
  }

  async run() {
    const { flags } = await this.parse(WebhookCreate)
    const created = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const tenantId = yield* tenantIdFlag(flags["tenant-id"])
        const events = flags.events.split(",").map((e) => e.trim()).filter((e) => e !== "")
        const payload = yield* validateFlags(CreateWebhook, { url: flags.url, events: events as unknown as CreateWebhook["events"] }, { url: "--url", events: "--events" })
        return yield* hub.webhooks.create({ path: { tenantId }, payload })
      }))
    const secret = Redacted.value(created.secret)
    this.log([
      `webhook ${created.webhook.id}`,
      `  url     ${created.webhook.url}`,
      `  events  ${created.webhook.events.join(", ")}`,
      `  secret  ${secret}`,
      "",
      "The secret is shown only now: give it to the receiver to check X-Xvault-Signature."
    ].join("\n"))
    return { ...webhookJson(created.webhook), secret }
  }
}
