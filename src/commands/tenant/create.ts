import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { CreateTenant } from "../../shared/contract/Tenants.js"
import { validateInput } from "../../cli/InputInvalid.js"
import { tenantJson } from "../../cli/json.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class TenantCreate extends HubCommand {
  static override summary = "Create a tenant and its age key pair on the Hub (admin)."
  static override description = withExitStatus(
    "Prints the tenant's id and its public key (age1…): backups of the tenant are encrypted to it. " +
      "The secret key stays sealed on the Hub."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> --name acme", "<%= config.bin %> <%= command.id %> --name acme --json"]
  static override flags = {
    name: Flags.string({ required: true, summary: "Unique name: 1-63 of a-z, 0-9 and '-'." })
  }

  async run() {
    const { flags } = await this.parse(TenantCreate)
    const tenant = await this.runWithHub(flags, (hub) =>
      Effect.flatMap(validateInput(CreateTenant, { name: flags.name }), (payload) => hub.tenants.create({ payload })))
    this.log(`created tenant ${tenant.name}\n  id          ${tenant.id}\n  public key  ${tenant.publicKey}`)
    return tenantJson(tenant)
  }
}
