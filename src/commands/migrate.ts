import { Effect } from "effect"
import { migrate } from "../hub/Migrator.js"
import { SqlLive } from "../hub/Sql.js"
import { runEffect } from "../cli/runEffect.js"
import { withExitStatus, XvaultCommand } from "../cli/XvaultCommand.js"

export default class Migrate extends XvaultCommand {
  static override summary = "Apply pending database migrations to DATABASE_URL."
  static override description = withExitStatus(
    "Safe to run twice and from several processes at once: migrations run in one transaction " +
      "under a PostgreSQL advisory lock, and applied ones are skipped."
  )
  static override examples = ["DATABASE_URL=postgres://xvault@db:5432/xvault <%= config.bin %> <%= command.id %>"]
  static override enableJsonFlag = true

  async run(): Promise<{ applied: ReadonlyArray<string> }> {
    await this.parse(Migrate)
    const applied = await runEffect(this, migrate().pipe(Effect.provide(SqlLive)))
    this.log(applied.length === 0 ? "database is up to date" : `applied ${applied.join(", ")}`)
    return { applied }
  }
}
