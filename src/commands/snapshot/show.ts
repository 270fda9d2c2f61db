import { Args } from "@oclif/core"
import { DateTime, Effect } from "effect"
import { SnapshotId } from "../../shared/contract/Ids.js"
import { formatBytes } from "../../cli/formatBytes.js"
import { parseId } from "../../cli/InputInvalid.js"
import { snapshotJson } from "../../cli/json.js"
import { HubCommand, withExitStatus } from "../../cli/XvaultCommand.js"

export default class SnapshotShow extends HubCommand {
  static override summary = "Show one snapshot: status, size, contents, where it is stored, and its last verification."
  static override description = withExitStatus(
    "Deleted snapshots stay visible for audit. A tenant token may show only its own tenant's snapshots."
  )
  static override examples = ["<%= config.bin %> <%= command.id %> 7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b --json"]
  static override args = { id: Args.string({ required: true, description: "Snapshot id." }) }

  async run() {
    const { args, flags } = await this.parse(SnapshotShow)
    const snapshot = await this.runWithHub(flags, (hub) =>
      parseId(SnapshotId, args.id, "snapshot id").pipe(Effect.flatMap((id) => hub.snapshots.get({ path: { id } }))))
    const s = snapshotJson(snapshot)
    const verified = s.verifiedAt === null ? "never" : `${s.verifiedAt}: ${s.verifyError ?? "intact"}`
    this.log([
      `snapshot ${s.id}`,
      `  status    ${s.status}`,
      `  source    ${s.sourceId} (tenant ${s.tenantId})`,
      `  created   ${DateTime.formatIso(snapshot.createdAt)} by job ${s.jobId}`,
      `  contents  ${s.fileCount} files, ${snapshot.dirCount} dirs, ${snapshot.symlinkCount} symlinks, ${formatBytes(s.bytesIn)} read`,
      `  size      ${formatBytes(s.sizeBytes)} (sha256 ${s.sha256})`,
      `  stored    ${s.locator} on worker ${s.workerId}`,
      `  tags      ${snapshot.tags.length > 0 ? snapshot.tags.join(", ") : "-"}`,
      `  verified  ${verified}`,
      `  deleted   ${s.deletedAt ?? "-"}`
    ].join("\n"))
    return s
  }
}
