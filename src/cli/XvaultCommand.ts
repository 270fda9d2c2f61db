import { Command, Flags } from "@oclif/core"
import { Effect } from "effect"
import { EXIT_STATUS_HELP } from "./ExitCodes.js"
import { type HubApiClient, type HubFlags, makeHubClient } from "./HubClient.js"
import { CommandFailed, runEffect } from "./runEffect.js"

export const withExitStatus = (description: string) => `${description}\n\n${EXIT_STATUS_HELP}`

/** Base for every xvault command: a failure already printed by runEffect only sets the exit code. */
export abstract class XvaultCommand extends Command {
  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof CommandFailed) {
      process.exitCode = error.exitCode
      return
    }
    return super.catch(error)
  }
}

/** Base for commands that talk to the Hub API: shared flags, the typed client, --json. */
export abstract class HubCommand extends XvaultCommand {
  static override enableJsonFlag = true
  static override baseFlags = {
    "hub-url": Flags.string({
      summary: "Hub base URL.",
      description: "Overrides HUB_BASE_URL (default http://127.0.0.1:8080).",
      helpGroup: "HUB"
    }),
    token: Flags.string({
      summary: "Bearer token (JWT).",
      description: "Overrides XVAULT_TOKEN. Prefer the variable: flags show up in process listings.",
      helpGroup: "HUB"
    })
  }

  protected runWithHub<A, E>(flags: HubFlags, use: (hub: HubApiClient) => Effect.Effect<A, E>): Promise<A> {
    return runEffect(this, Effect.flatMap(makeHubClient(flags), use))
  }
}
