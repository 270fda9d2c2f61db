import { Args } from "@oclif/core"
import { Effect } from "effect"
import { SourceId } from "../../shared/contract/Ids.js"
import { parseId } from "../../cli/InputInvalid.js"
import { sourceJson } from "../../cli/json.js"
import { sourceTarget } from "../../shared/contract/Sources.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class SourceShow extends HubCommand {
  static override summary = "Show one source (never its credentials)."
  static override description = withExitStatus("A tenant token may show only its own tenant's sources.")
  static override examples = ["<%= config.bin %> <%= command.id %> 0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e --json"]
  static override args = { id: Args.string({ required: true, description: "Source id." }) }

  async run() {
    const { args, flags } = await this.parse(SourceShow)
    const source = await this.runWithHub(flags, (hub) =>
      parseId(SourceId, args.id, "source id").pipe(
        Effect.flatMap((id) => hub.sources.get({ path: { id } }))
      ))
    const json = sourceJson(source)
    this.log([
      `source ${json.name}`,
      `  id        ${json.id}`,
      `  tenant    ${json.tenantId}`,
      `  kind      ${json.kind}`,
      `  target    ${sourceTarget(source)}${"authMethod" in json ? ` (${json.authMethod})` : ""}`,
      `  paths     ${json.paths.join(", ")}`,
      `  excludes  ${json.excludes.length > 0 ? json.excludes.join(", ") : "-"}`,
      ...("hostKey" in json ? [`  host key  ${json.hostKey ?? "(recorded on first connection)"}`] : []),
      `  verified  ${json.lastVerifiedAt ?? "- (no snapshot verified yet)"}`
    ].join("\n"))
    return json
  }
}
