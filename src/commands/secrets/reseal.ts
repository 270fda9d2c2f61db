import { Effect, Layer } from "effect"
import { resealAll } from "../../hub/Secrets/Reseal.js"
import { Sealer } from "../../hub/Secrets/Sealer.js"
import { SqlLive } from "../../hub/Sql.js"
import { runEffect } from "../../cli/runEffect.js"
import { withExitStatus, XvaultCommand } from "../../cli/XvaultCommand.js"

export default class SecretsReseal extends XvaultCommand {
  static override summary = "Re-seal every stored secret under the current KEK (the last step of a KEK rotation)."
  static override description = withExitStatus(
    "Rotation: set HUB_ENCRYPTION_KEK to the new key with a higher HUB_ENCRYPTION_KEK_VERSION, put the old one " +
      "in HUB_ENCRYPTION_KEK_PREVIOUS as VERSION:BASE64, restart the Hubs, run this, then drop the old key. " +
      "Works in small transactions while the Hub serves; safe to run again (it then re-seals nothing). " +
      "Reads DATABASE_URL and the HUB_ENCRYPTION_KEK* variables."
  )
  static override examples = [
    {
      description: "Rotate from key version 1 to 2:",
      command: "HUB_ENCRYPTION_KEK=$NEW HUB_ENCRYPTION_KEK_VERSION=2 HUB_ENCRYPTION_KEK_PREVIOUS=1:$OLD <%= config.bin %> <%= command.id %>"
    }
  ]
  static override enableJsonFlag = true

  async run() {
    await this.parse(SecretsReseal)
    const report = await runEffect(this, resealAll.pipe(Effect.provide(Sealer.Default.pipe(Layer.provideMerge(SqlLive)))))
    const total = Object.values(report.resealed).reduce((a, b) => a + b, 0)
    this.log(`re-sealed ${total} secrets under KEK version ${report.kekVersion}`)
    return report
  }
}
