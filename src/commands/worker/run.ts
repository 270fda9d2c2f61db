import { Layer } from "effect"
import { runEffect } from "../../cli/runEffect.js"
import { withExitStatus, XvaultCommand } from "../../cli/XvaultCommand.js"
import { WorkerLive } from "../../worker/Main.js"

export default class WorkerRun extends XvaultCommand {
  static override summary = "Run a worker: take jobs from Redis, back up sources to this machine's storage."
  static override description = withExitStatus(
    "Reads WORKER_ID, WORKER_TOKEN, HUB_BASE_URL, REDIS_URL, WORKER_STORAGE_BASE (default /var/lib/xvault/backups), " +
      "WORKER_CONCURRENCY (default 2), WORKER_ZSTD_LEVEL (default 3), WORKER_SFTP_TRANSPORT (openssh or ssh2, default " +
      "openssh) and XVAULT_QUEUE_PREFIX. WORKER_TOKEN is a " +
      "worker token for exactly this WORKER_ID (xvault token create --role worker --worker-id ID). " +
      "SIGINT/SIGTERM stop it: running backups are cut short, clean up, and are retried."
  )
  static override examples = [
    "WORKER_ID=w1 WORKER_TOKEN=$(cat w1.token) HUB_BASE_URL=http://hub:8080 REDIS_URL=redis://redis:6379 <%= config.bin %> <%= command.id %>"
  ]

  async run(): Promise<void> {
    await runEffect(this, Layer.launch(WorkerLive), { onInterrupt: 0 })
  }
}
