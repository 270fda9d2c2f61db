import { Args } from "@oclif/core"
import { Effect } from "effect"
import { TenantId } from "../../shared/contract/Ids.js"
import { parseId } from "../../cli/InputInvalid.js"
import { tenantJson } from "../../cli/json.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class TenantShow extends HubCommand {
  static override summary = "Show one tenant: id, name and public key."
  static override description = withExitStatus("A tenant token may show only its own tenant.")
  static override examples = ["<%= config.bin %> <%= command.id %> 6f1c2a52-8d7e-4a53-9d1f-0c2b9e6a1f00 --json"]
  static override args = { id: Args.string({ required: true, description: "Tenant id." }) }

  async run() {
    const { args, flags } = await this.parse(TenantShow)
    const tenant = await this.runWithHub(flags, (hub) =>
      parseId(TenantId, args.id, "tenant id").pipe(
        Effect.flatMap((id) => hub.tenants.get({ path: { id } }))
      ))
    const json = tenantJson(tenant)
    this.log(`tenant ${json.name}\n  id          ${json.id}\n  public key  ${json.publicKey}\n  created     ${json.createdAt}`)
    return json
  }
}
