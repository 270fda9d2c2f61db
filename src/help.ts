import { Help } from "@oclif/core"
import { EXIT_STATUS_HELP } from "./cli/ExitCodes.js"

const ROOT_EXAMPLES = `EXAMPLES
  Run a Hub, applying migrations first:
    $ xvault hub serve --migrate

  Mint an admin token and create a tenant:
    $ export XVAULT_TOKEN=$(xvault token create --role admin --ttl 1h)
    $ xvault tenant create --name acme

  Register an SFTP source, password from stdin:
    $ printf '%s' "$PW" | xvault source create --tenant-id T --name web1 \\
        --host web1.example.com --username backup --password-stdin --path /var/www`

/** oclif's root help plus examples and the exit codes every command shares. */
export default class XvaultHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(`\n${ROOT_EXAMPLES}\n\n${EXIT_STATUS_HELP}\n`)
  }
}
