import { Flags } from "@oclif/core"
import { serveHub } from "../../hub/Main.js"
import { runEffect } from "../../cli/runEffect.js"
import { withExitStatus, XvaultCommand } from "../../cli/XvaultCommand.js"

export default class HubServe extends XvaultCommand {
  static override summary = "Run the Hub: the HTTP API on PostgreSQL and Redis."
  static override description = withExitStatus(
    "Reads DATABASE_URL, REDIS_URL, HUB_JWT_SECRET, HUB_ENCRYPTION_KEK, HUB_PORT and HUB_HOST. " +
      "Serves /v1 (the API), /healthz, /readyz, /openapi.json and /docs. SIGINT/SIGTERM stop it cleanly."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> --migrate", "<%= config.bin %> <%= command.id %> --port 9090"]
  static override flags = {
    port: Flags.integer({ summary: "Port to listen on (overrides HUB_PORT, default 8080).", min: 0, max: 65535 }),
    host: Flags.string({ summary: "Address to bind (overrides HUB_HOST, default 0.0.0.0)." }),
    migrate: Flags.boolean({ summary: "Apply pending migrations before serving." })
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(HubServe)
    await runEffect(this, serveHub({ port: flags.port, host: flags.host, migrate: flags.migrate }), { onInterrupt: 0 })
  }
}
