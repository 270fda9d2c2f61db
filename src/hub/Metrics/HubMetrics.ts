import { Effect } from "effect"
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client"
import type { JobCompletion } from "../../shared/contract/Workers.js"
import type { JobRow } from "../Jobs/JobRow.js"
import { registerDatabaseGauges } from "./DatabaseGauges.js"

/** Backups and restores take minutes to hours; API requests milliseconds. */
const JOB_SECONDS = [1, 5, 15, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600]
const REQUEST_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** What a finished job moved: a backup reads its source and writes its artifact, a verify reads it. */
const bytesOf = (report: JobCompletion): { readonly read: number; readonly written: number } => {
  switch (report.type) {
    case "backup":
      return { read: report.bytesIn, written: report.sizeBytes }
    case "verify":
      return { read: report.result.bytes, written: 0 }
    case "restore":
      return { read: 0, written: report.result.to === "archive" ? report.result.sizeBytes : report.result.bytesWritten }
    case "delete_snapshot":
      return { read: 0, written: 0 }
  }
}

/**
 * The Hub's Prometheus registry. Events this Hub process saw (jobs ending, HTTP requests) are
 * counters and histograms in memory, so with several Hubs each counts its own share and
 * `sum()` adds them up. State (sources, snapshots, workers, queues) is read from PostgreSQL
 * and Redis at scrape time, so every Hub reports the same values for it.
 */
export class HubMetrics extends Effect.Service<HubMetrics>()("hub/HubMetrics", {
  effect: Effect.gen(function*() {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const registers = [registry]
    const jobsFinished = new Counter({
      name: "xvault_jobs_finished_total",
      help: "Jobs that reached a final status on this Hub, by type and status (succeeded, failed).",
      labelNames: ["type", "status"],
      registers
    })
    const jobDuration = new Histogram({
      name: "xvault_job_duration_seconds",
      help: "Time from a job's first start to its final status, by type and status.",
      labelNames: ["type", "status"],
      buckets: JOB_SECONDS,
      registers
    })
    const bytesRead = new Counter({
      name: "xvault_bytes_read_total",
      help: "Bytes read by succeeded jobs (backup: from the source; verify: the artifact), by job type.",
      labelNames: ["type"],
      registers
    })
    const bytesWritten = new Counter({
      name: "xvault_bytes_written_total",
      help: "Bytes written by succeeded jobs (backup: the artifact; restore: the archive or the files), by job type.",
      labelNames: ["type"],
      registers
    })
    const requests = new Counter({
      name: "xvault_http_requests_total",
      help: "HTTP requests answered by this Hub, by method, route template and status.",
      labelNames: ["method", "route", "status"],
      registers
    })
    const requestDuration = new Histogram({
      name: "xvault_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by method, route template and status.",
      labelNames: ["method", "route", "status"],
      buckets: REQUEST_SECONDS,
      registers
    })
    yield* registerDatabaseGauges(registry)

    /** Call after the job's final status has committed. */
    const jobFinished = (job: JobRow, status: "succeeded" | "failed", report?: JobCompletion) =>
      Effect.sync(() => {
        jobsFinished.inc({ type: job.type, status })
        if (job.started_at !== null) jobDuration.observe({ type: job.type, status }, Math.max(0, (Date.now() - job.started_at.getTime()) / 1000))
        if (report !== undefined) {
          const { read, written } = bytesOf(report)
          bytesRead.inc({ type: job.type }, read)
          bytesWritten.inc({ type: job.type }, written)
        }
      })

    const requestAnswered = (labels: { readonly method: string; readonly route: string; readonly status: number }, seconds: number) => {
      const values = { method: labels.method, route: labels.route, status: String(labels.status) }
      requests.inc(values)
      requestDuration.observe(values, seconds)
    }

    return { registry, jobFinished, requestAnswered } as const
  })
}) {}
