import type { Job } from "../shared/contract/Jobs.js"
import { formatBytes, formatRate } from "./formatBytes.js"
import { attemptText, failedAttempt, progressText, retryNotice } from "./jobText.js"

/** tty: one line redrawn in place; lines: a plain line when something changed; quiet: nothing. */
export type ProgressMode = "tty" | "lines" | "quiet"

export interface ProgressOutput {
  readonly write: (text: string) => void
  /** Milliseconds; injected so the pacing can be tested without waiting. */
  readonly now: () => number
  /** Terminal width: a line longer than the terminal would wrap and break the redraw. */
  readonly columns?: () => number | undefined
}

const REDRAW_MS = 250
const LINE_MS = 1000
const RATE_WINDOW_MS = 10_000
const STALLED_MS = 5000

/** The live line: "running · attempt 1/3 · 120 files · 45.0 MiB read · 12.1 MiB written · 3.2 MiB/s". */
export const progressBar = (job: Job, bytesPerSecond: number | undefined): string => {
  if (job.status !== "running") return progressText(job).replace(": ", " · ")
  const p = job.progress
  return [
    "running",
    attemptText(job),
    ...(p === null
      ? ["starting"]
      : [`${p.files} files`, `${formatBytes(p.bytesRead)} read`, `${formatBytes(p.bytesWritten)} written`]),
    ...(bytesPerSecond === undefined ? [] : [formatRate(bytesPerSecond)])
  ].join(" · ")
}

interface Sample {
  readonly at: number
  readonly bytes: number
}

/**
 * Shows a followed job on stderr: retries as they happen, and progress paced for a terminal
 * (at most 4 redraws a second) or for a log (a line only when it changed, at most one a second).
 */
export class ProgressReporter {
  private failuresShown = 0
  private shown: string | undefined
  private shownAt = -Infinity
  private drawn = false
  private samples: Array<Sample> = []
  private samplesOf: number | undefined

  constructor(readonly mode: ProgressMode, private readonly out: ProgressOutput) {}

  update(job: Job): void {
    if (this.mode === "quiet") return
    const now = this.out.now()
    this.sample(job, now)
    const failed = failedAttempt(job)
    if (failed !== undefined && failed > this.failuresShown) {
      this.failuresShown = failed
      this.note(retryNotice(failed, job.error ?? ""))
    }
    const text = this.mode === "tty" ? this.fit(progressBar(job, this.rate(now))) : progressText(job)
    if (text === this.shown || now - this.shownAt < (this.mode === "tty" ? REDRAW_MS : LINE_MS)) return
    this.out.write(this.mode === "tty" ? `\r${text}\x1b[K` : `${text}\n`)
    this.drawn = this.mode === "tty"
    this.shown = text
    this.shownAt = now
  }

  /** A line of its own, above the live line (which the next update redraws). */
  note(text: string): void {
    if (this.mode === "quiet") return
    this.end()
    this.out.write(`${text}\n`)
    this.shown = undefined
    this.shownAt = -Infinity
  }

  /** Clears the live line, so what follows starts on a clean line. */
  end(): void {
    if (this.drawn) this.out.write("\r\x1b[K")
    this.drawn = false
  }

  /**
   * Bytes read per second between the first and the last change of the counter in the last few
   * seconds: the worker reports about once a second, so polls in between would make it jump. A
   * counter that stopped moving reads 0.
   */
  private rate(now: number): number | undefined {
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    if (first === undefined || last === undefined || last.at - first.at < 500) return undefined
    if (now - last.at > STALLED_MS) return 0
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at)
  }

  private sample(job: Job, now: number): void {
    if (job.status !== "running" || job.progress === null) return
    const bytes = job.progress.bytesRead
    // a new attempt starts counting from zero
    if (this.samplesOf !== job.attempt || bytes < (this.samples[this.samples.length - 1]?.bytes ?? 0)) this.samples = []
    this.samplesOf = job.attempt
    if (this.samples[this.samples.length - 1]?.bytes === bytes) return
    this.samples.push({ at: now, bytes })
    this.samples = this.samples.filter((s) => now - s.at <= RATE_WINDOW_MS)
  }

  private fit(text: string): string {
    const columns = this.out.columns?.()
    return columns !== undefined && columns > 1 && text.length >= columns ? `${text.slice(0, columns - 2)}…` : text
  }
}

/** The reporter for a command: a live line on a terminal, plain lines in a log, none for --json in a pipe. */
export const stderrProgress = (json: boolean) =>
  new ProgressReporter(process.stderr.isTTY ? "tty" : json ? "quiet" : "lines", {
    write: (text) => void process.stderr.write(text),
    now: Date.now,
    columns: () => process.stderr.columns
  })
