import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { SourceKind } from "../../shared/contract/Sources.js"
import { tenantIdFlag } from "../../cli/InputInvalid.js"
import { sourceJson } from "../../cli/json.js"
import { sourcePayload } from "../../cli/sourcePayload.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class SourceCreate extends HubCommand {
  static override summary = "Register a source (today: an SSH/SFTP server) for a tenant."
  static override description = withExitStatus(
    "--kind sftp (the default) needs --host, --username and credentials. " +
      "Credentials are read from stdin or a file, sealed on the Hub and never shown again. " +
      "Without --host-key the first successful connection records the server's key (trust on " +
      "first use); any later change fails backups with 'host key mismatch'."
  )
  static override examples = [
    {
      description: "Password auth, the password read from stdin:",
      command:
        "printf '%s' \"$PW\" | <%= config.bin %> <%= command.id %> --tenant-id T --name web1 --host web1.example.com --username backup --password-stdin --path /var/www"
    },
    {
      description: "Key auth with a pinned host key and an exclude:",
      command:
        "<%= config.bin %> <%= command.id %> --tenant-id T --name db --host 10.0.0.5 --username backup --private-key-file ~/.ssh/id_ed25519 --path /srv --exclude '*.tmp' --host-key SHA256:…"
    }
  ]
  static override flags = {
    "tenant-id": Flags.string({ required: true, summary: "The tenant that owns the source." }),
    name: Flags.string({ required: true, summary: "Name, unique within the tenant." }),
    kind: Flags.option({ options: SourceKind.literals, default: "sftp" as const, summary: "What kind of source." })(),
    host: Flags.string({ summary: "--kind sftp: SSH server host name or address (required)." }),
    port: Flags.integer({ default: 22, min: 1, max: 65535, summary: "--kind sftp: SSH port." }),
    username: Flags.string({ summary: "--kind sftp: SSH login (required)." }),
    "password-stdin": Flags.boolean({ summary: "Read the SSH password from stdin.", exclusive: ["private-key-file"] }),
    "private-key-file": Flags.string({ summary: "Read the SSH private key from this file." }),
    "passphrase-stdin": Flags.boolean({ summary: "Read the private key's passphrase from stdin.", dependsOn: ["private-key-file"] }),
    path: Flags.string({ required: true, multiple: true, summary: "Absolute path to back up (repeatable)." }),
    exclude: Flags.string({ multiple: true, summary: "Glob to leave out (repeatable)." }),
    "host-key": Flags.string({ summary: "Pin the server's host key fingerprint (SHA256:…)." })
  }

  async run() {
    const { flags } = await this.parse(SourceCreate)
    const source = await this.runWithHub(flags, (hub) =>
      Effect.gen(function*() {
        const tenantId = yield* tenantIdFlag(flags["tenant-id"])
        const payload = yield* sourcePayload(flags)
        return yield* hub.sources.create({ path: { tenantId }, payload })
      }))
    this.log(`created source ${source.name} (${source.id}) for tenant ${source.tenantId}`)
    return sourceJson(source)
  }
}
