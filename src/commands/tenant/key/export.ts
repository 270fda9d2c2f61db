import { Flags } from "@oclif/core"
import { Effect, Redacted } from "effect"
import { tenantIdFlag } from "../../../cli/InputInvalid.js"
import { HubCommand, withExitStatus } from "../../../cli/XvaultCommand.js"

export default class TenantKeyExport extends HubCommand {
  static override summary = "Print a tenant's age secret key, for disaster recovery (admin)."
  static override description = withExitStatus(
    "Prints only the AGE-SECRET-KEY-1… line on stdout, so redirecting it gives an identity file that " +
      "'age -d -i' reads: the tenant's backups can then be opened without xVault. Every export is " +
      "recorded in the audit log (tenant.key_export). Keep the file offline; anyone holding it can " +
      "decrypt every backup of the tenant."
  )
  static override examples = [
    {
      description: "Write the key to a file only you can read:",
      command: "(umask 077; <%= config.bin %> <%= command.id %> --tenant-id 6f1c2a52-8d7e-4a53-9d1f-0c2b9e6a1f00 > tenant.key)"
    },
    {
      description: "Open an artifact with it, without xVault:",
      command: "age -d -i tenant.key backup.tar.zst.enc | zstd -d | tar -t"
    }
  ]
  static override flags = {
    "tenant-id": Flags.string({ required: true, summary: "The tenant whose secret key to export." })
  }

  async run() {
    const { flags } = await this.parse(TenantKeyExport)
    const exported = await this.runWithHub(flags, (hub) =>
      Effect.flatMap(tenantIdFlag(flags["tenant-id"]), (id) => hub.tenants.exportKey({ path: { id } })))
    const secretKey = Redacted.value(exported.secretKey)
    this.log(secretKey)
    this.logToStderr(`this key decrypts every backup of tenant ${exported.tenantId}; store it offline`)
    return { tenantId: exported.tenantId, secretKey }
  }
}
