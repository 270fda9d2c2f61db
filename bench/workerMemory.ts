/**
 * The worker's memory over a run: peak RSS from /proc (VmHWM, reset before the run), and, when
 * it serves /metrics, the peaks of what `process.memoryUsage()` reports there, sampled.
 */
import * as fs from "node:fs"
import { MiB, procStatusMiB } from "./harness.js"

const SAMPLE_EVERY_MS = 200

const SERIES = {
  rss: "process_resident_memory_bytes",
  heapUsed: "nodejs_heap_size_used_bytes",
  heapTotal: "nodejs_heap_size_total_bytes",
  external: "nodejs_external_memory_bytes"
} as const
export type MemoryPeaks = { readonly [K in keyof typeof SERIES]: number }

export interface MemoryDuring<A> {
  readonly value: A
  /** VmHWM over the run, MiB. */
  readonly peakMiB: number
  /** Each series' highest sample, MiB (they need not peak together); absent without /metrics. */
  readonly sampled: MemoryPeaks | undefined
}

const sample = async (port: number): Promise<MemoryPeaks> => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0) / MiB
  return { rss: value(SERIES.rss), heapUsed: value(SERIES.heapUsed), heapTotal: value(SERIES.heapTotal), external: value(SERIES.external) }
}

const higher = (a: MemoryPeaks, b: MemoryPeaks): MemoryPeaks =>
  ({ rss: Math.max(a.rss, b.rss), heapUsed: Math.max(a.heapUsed, b.heapUsed), heapTotal: Math.max(a.heapTotal, b.heapTotal), external: Math.max(a.external, b.external) })

/** Runs `run` and reports the worker's peak RSS over it; where clear_refs is refused, the highest VmRSS polled. */
export const memoryDuring = async <A>(pid: number, metricsPort: number | undefined, run: () => Promise<A>): Promise<MemoryDuring<A>> => {
  const resettable = (() => {
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, "5")
      return true
    } catch {
      return false
    }
  })()
  let polled = procStatusMiB(pid, "VmRSS")
  let sampled: MemoryPeaks | undefined
  let sampling = Promise.resolve()
  const timer = setInterval(() => {
    if (!resettable) polled = Math.max(polled, procStatusMiB(pid, "VmRSS"))
    if (metricsPort !== undefined) {
      sampling = sampling.then(() => sample(metricsPort)).then((s) => void (sampled = sampled === undefined ? s : higher(sampled, s)), () => {})
    }
  }, SAMPLE_EVERY_MS)
  try {
    const value = await run()
    await sampling
    return { value, peakMiB: resettable ? procStatusMiB(pid, "VmHWM") : Math.max(polled, procStatusMiB(pid, "VmRSS")), sampled }
  } finally {
    clearInterval(timer)
  }
}

export const describePeaks = (peaks: MemoryPeaks | undefined) =>
  peaks === undefined
    ? ""
    : `sampled every ${SAMPLE_EVERY_MS} ms from /metrics, peaks: rss ${peaks.rss.toFixed(0)}, heap used ${peaks.heapUsed.toFixed(0)}, heap total ${peaks.heapTotal.toFixed(0)}, external ${peaks.external.toFixed(0)} MiB`
