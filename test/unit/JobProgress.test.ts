import { describe, expect, it } from "@effect/vitest"
import { DateTime } from "effect"
import { formatBytes, formatRate } from "../../src/cli/formatBytes.js"
import { describeError } from "../../src/cli/describeError.js"
import { JobFailed } from "../../src/cli/followJob.js"
import { failedAttempt, progressText, succeededLines } from "../../src/cli/jobText.js"
import { progressBar, ProgressReporter } from "../../src/cli/ProgressLine.js"
import type { JobId, SnapshotId, SourceId, TenantId } from "../../src/shared/contract/Ids.js"
import { Job, type JobProgress } from "../../src/shared/contract/Jobs.js"

const MiB = 1024 * 1024

const job = (fields: Partial<ConstructorParameters<typeof Job>[0]> = {}) =>
  new Job({
    id: "3d9f5a2e-7c1b-4e8a-9f60-2b1c0d4e5f6a" as JobId,
    type: "backup",
    status: "queued",
    tenantId: "6f1c2a52-8d7e-4a53-9d1f-0c2b9e6a1f00" as TenantId,
    sourceId: "0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e" as SourceId,
    snapshotId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" as SnapshotId,
    attempt: 0,
    maxAttempts: 3,
    workerId: null,
    tags: [],
    progress: null,
    result: null,
    restore: null,
    error: null,
    createdAt: DateTime.unsafeMake(0),
    startedAt: null,
    finishedAt: null,
    ...fields
  })

const progress = (files: number, bytesRead: number, bytesWritten: number): JobProgress =>
  ({ files, dirs: 0, symlinks: 0, bytesRead, bytesWritten })

const running = (attempt: number, p: JobProgress | null, error: string | null = null) =>
  job({ status: "running", attempt, workerId: "w1", progress: p, error })

/** A reporter on a hand-driven clock that records what it writes. */
const recorder = (mode: "tty" | "lines" | "quiet", columns?: number) => {
  let now = 0
  const written: Array<string> = []
  const reporter = new ProgressReporter(mode, { write: (t) => written.push(t), now: () => now, columns: () => columns })
  return { reporter, written, at: (ms: number) => (now = ms) }
}

describe("formatBytes", () => {
  it("uses binary units with one decimal above a KiB", () => {
    expect(formatBytes(0)).toBe("0 B")
    expect(formatBytes(1023)).toBe("1023 B")
    expect(formatBytes(1024)).toBe("1.0 KiB")
    expect(formatBytes(45 * MiB)).toBe("45.0 MiB")
    expect(formatBytes(1.2 * 1024 * MiB)).toBe("1.2 GiB")
    expect(formatBytes(1024 * MiB - 1)).toBe("1.0 GiB")
    expect(formatRate(3.25 * MiB)).toBe("3.3 MiB/s")
  })
})

describe("job text", () => {
  it("says what a job is doing in one plain line", () => {
    expect(progressText(job())).toBe("queued: waiting for a worker")
    expect(progressText(running(1, null))).toBe("running attempt 1/3: starting")
    expect(progressText(running(1, progress(120, 45 * MiB, 12.1 * MiB))))
      .toBe("running attempt 1/3: 120 files, 45.0 MiB read, 12.1 MiB written")
    expect(progressText(job({ attempt: 1, error: "boom" }))).toBe("queued: attempt 2/3 waits for a worker")
  })

  it("finds the failed attempt behind a queued or running retry", () => {
    expect(failedAttempt(job())).toBeUndefined()
    expect(failedAttempt(running(1, null))).toBeUndefined()
    expect(failedAttempt(job({ attempt: 1, error: "boom" }))).toBe(1)
    expect(failedAttempt(running(2, null, "boom"))).toBe(1)
    expect(failedAttempt(job({ status: "failed", attempt: 3, error: "boom" }))).toBeUndefined()
  })

  it("reports a success with the snapshot and one line per warning", () => {
    const done = job({
      status: "succeeded",
      attempt: 1,
      result: {
        snapshotId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" as SnapshotId,
        sizeBytes: 12 * MiB,
        sha256: "0".repeat(64),
        fileCount: 120,
        bytesIn: 45 * MiB,
        warnings: [{ path: "/etc/shadow", message: "permission denied" }]
      }
    })
    expect(succeededLines(done)).toEqual([
      "backup succeeded: snapshot 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d, 120 files, 12.0 MiB",
      "warning: /etc/shadow: permission denied"
    ])
  })

  it("a failed job is exit 1 with its message", () => {
    expect(describeError(new JobFailed({ jobId: "j", message: "backup job j failed: x" })))
      .toEqual({ code: "job_failed", message: "backup job j failed: x", exitCode: 1 })
  })
})

describe("ProgressReporter", () => {
  it("in a log, writes a line only when it changed, at most once a second", () => {
    const { at, reporter, written } = recorder("lines")
    reporter.update(job())
    at(500)
    reporter.update(job())
    reporter.update(running(1, progress(1, MiB, 0)))
    at(1000)
    reporter.update(running(1, progress(2, 2 * MiB, MiB)))
    at(1500)
    reporter.update(running(1, progress(2, 2 * MiB, MiB)))
    expect(written).toEqual([
      "queued: waiting for a worker\n",
      "running attempt 1/3: 2 files, 2.0 MiB read, 1.0 MiB written\n"
    ])
  })

  it("announces each failed attempt once, even if the queued state was never seen", () => {
    const { at, reporter, written } = recorder("lines")
    reporter.update(running(1, null))
    at(2000)
    reporter.update(running(2, null, "connection refused"))
    at(4000)
    reporter.update(running(2, null, "connection refused"))
    expect(written).toEqual([
      "running attempt 1/3: starting\n",
      "attempt 1 failed: connection refused; retrying\n",
      "running attempt 2/3: starting\n"
    ])
  })

  it("on a terminal, redraws one line in place with the read rate, and clears it at the end", () => {
    const { at, reporter, written } = recorder("tty")
    reporter.update(running(1, progress(10, 0, 0)))
    at(100)
    reporter.update(running(1, progress(20, MiB, 0))) // too soon: at most 4 redraws a second
    at(1000)
    reporter.update(running(1, progress(30, 4 * MiB, MiB)))
    reporter.end()
    expect(written).toEqual([
      "\rrunning · attempt 1/3 · 10 files · 0 B read · 0 B written\x1b[K",
      "\rrunning · attempt 1/3 · 30 files · 4.0 MiB read · 1.0 MiB written · 4.0 MiB/s\x1b[K",
      "\r\x1b[K"
    ])
  })

  it("the rate follows the changes of the counter, not the polls in between, and drops to 0 when it stalls", () => {
    const { at, reporter, written } = recorder("tty")
    // an unchanged line is not redrawn: the polls at 500, 1500 and 2500 ms write nothing
    for (const [ms, bytes] of [[0, 0], [500, 0], [1000, 2 * MiB], [1500, 2 * MiB], [2000, 4 * MiB], [2500, 4 * MiB], [8000, 4 * MiB]] as const) {
      at(ms)
      reporter.update(running(1, progress(1, bytes, 0)))
    }
    expect(written.map((w) => /· ([^·]+\/s)/.exec(w)?.[1] ?? "-")).toEqual(["-", "2.0 MiB/s", "2.0 MiB/s", "0 B/s"])
  })

  it("on a terminal, prints a retry above the live line and keeps the line within the width", () => {
    const { reporter, written } = recorder("tty", 30)
    reporter.update(running(1, null))
    reporter.update(job({ attempt: 1, error: "timeout" }))
    expect(written).toEqual([
      "\rrunning · attempt 1/3 · star…\x1b[K",
      "\r\x1b[K",
      "attempt 1 failed: timeout; retrying\n",
      "\rqueued · attempt 2/3 waits f…\x1b[K"
    ])
  })

  it("quiet writes nothing", () => {
    const { reporter, written } = recorder("quiet")
    reporter.update(job({ attempt: 1, error: "x" }))
    reporter.note("stopped")
    reporter.end()
    expect(written).toEqual([])
  })

  it("the live line shows no rate before it has two samples half a second apart", () => {
    expect(progressBar(running(1, progress(1, 1, 1)), undefined)).toBe("running · attempt 1/3 · 1 files · 1 B read · 1 B written")
  })
})
