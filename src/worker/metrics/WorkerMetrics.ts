import { Effect } from "effect"
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client"
import type { JobProgress } from "../../shared/contract/Jobs.js"
import type { JobClaim, JobCompletion } from "../../shared/contract/Workers.js"
import { ArtifactStore } from "../storage/ArtifactStore.js"

/** Final byte totals a completion states; progress reports before it carried the rest. */
const finalBytes = (report: JobCompletion): { readonly read: number; readonly written: number } | undefined => {
  switch (report.type) {
    case "backup":
      return { read: report.bytesIn, written: report.sizeBytes }
    case "verify":
      return { read: report.result.bytes, written: 0 }
    default:
      return undefined
  }
}

/**
 * This worker's own Prometheus registry: attempts by job type and how they ended, bytes moved,
 * its storage volume, and the Node process metrics. Fed by HubReporter, which sees every
 * claim, progress report and outcome, so the job code needs no hooks.
 */
export class WorkerMetrics extends Effect.Service<WorkerMetrics>()("worker/WorkerMetrics", {
  effect: Effect.gen(function*() {
    const store = yield* ArtifactStore
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const registers = [registry]
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ["type"], registers })
    const started = counter("xvault_worker_jobs_started_total", "Job attempts this worker claimed, by job type.")
    const succeeded = counter("xvault_worker_jobs_succeeded_total", "Job attempts this worker completed and the Hub recorded, by job type.")
    const failed = counter("xvault_worker_jobs_failed_total", "Job attempts that failed on this worker (retried or not), by job type.")
    const read = counter("xvault_worker_bytes_read_total", "Bytes read by this worker's jobs (backup: the source; verify, restore: the artifact), by job type.")
    const written = counter("xvault_worker_bytes_written_total", "Bytes written by this worker's jobs (backup: the artifact; restore: the output), by job type.")
    // read from the store at scrape time, as the heartbeat reads free space
    const volume = (name: string, help: string, bytes: Effect.Effect<number>) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(await Effect.runPromise(bytes))
        }
      })
    volume("xvault_worker_storage_free_bytes", "Bytes available to the worker in its artifact store.", store.freeBytes)
    volume("xvault_worker_storage_size_bytes", "Size of the worker's artifact store (its volume, for local_fs).", store.sizeBytes)
    const reconciledAt = new Gauge({
      name: "xvault_worker_reconcile_last_success_timestamp_seconds",
      help: "When this worker last finished a reconcile pass (Unix time); absent until its first.",
      registers
    })
    const reconcileRemoved = new Counter({
      name: "xvault_worker_reconcile_removed_total",
      help: "What reconcile removed from this worker's volume: snapshot directories the Hub named, expired restores.",
      labelNames: ["kind"],
      registers
    })

    // per job: its type and the bytes already counted from progress reports of the current attempt
    const attempts = new Map<string, { type: string; read: number; written: number }>()
    const add = (jobId: string, bytes: { readonly read: number; readonly written: number }) => {
      const attempt = attempts.get(jobId)
      if (attempt === undefined) return
      if (bytes.read > attempt.read) read.inc({ type: attempt.type }, bytes.read - attempt.read)
      if (bytes.written > attempt.written) written.inc({ type: attempt.type }, bytes.written - attempt.written)
      attempt.read = Math.max(attempt.read, bytes.read)
      attempt.written = Math.max(attempt.written, bytes.written)
    }

    return {
      registry,
      claimed: (claim: JobClaim) => {
        attempts.set(claim.jobId, { type: claim.type, read: 0, written: 0 })
        started.inc({ type: claim.type })
      },
      progressed: (jobId: string, progress: JobProgress) => add(jobId, { read: progress.bytesRead, written: progress.bytesWritten }),
      completed: (jobId: string, report: JobCompletion) => {
        const bytes = finalBytes(report)
        if (bytes !== undefined) add(jobId, bytes)
        succeeded.inc({ type: report.type })
        attempts.delete(jobId)
      },
      reconciled: (outcome: { readonly removed: number; readonly restoresRemoved: number }) =>
        Effect.sync(() => {
          reconcileRemoved.inc({ kind: "snapshot" }, outcome.removed)
          reconcileRemoved.inc({ kind: "restore" }, outcome.restoresRemoved)
          reconciledAt.setToCurrentTime()
        }),
      failed: (jobId: string) => {
        const attempt = attempts.get(jobId)
        if (attempt !== undefined) failed.inc({ type: attempt.type })
        attempts.delete(jobId)
      }
    } as const
  })
}) {}
