/**
 * npm run bench:backup [-- --rounds N --random-mib N --text-mib N --small-files N --small-bytes MIN-MAX
 *                          --small --concurrency N --sample-memory]
 *
 * Backs up one deterministic data set, served by a real sshd on loopback, in alternating rounds
 * through a real Hub + worker and through the reference pipeline
 * `ssh host 'tar cf - DIR' | zstd -3 -T0 | age -r KEY > out`. With `--concurrency N` the worker
 * runs with WORKER_CONCURRENCY=N and N sources over the same data are backed up at once, against
 * N reference pipelines at once. Prints medians, the ratios with their targets, the worker's CPU
 * seconds and its idle and peak RSS; with `--small`, files/s.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { benchArgs, cpuSeconds, describeSize, machineLine, MiB, startBench } from "./harness.js"
import { median, seconds, table, verdict } from "./report.js"
import { describePeaks, memoryDuring, type MemoryPeaks } from "./workerMemory.js"

const args = benchArgs({ randomMiB: 256, textMiB: 256, smallFiles: 5000, smallBytes: { min: 200, max: 8200 }, rounds: 5 }, { concurrency: true })
const { size, rounds, concurrency } = args

const TARGET = { ratio: { op: "<=", value: 1.0 }, peak: { op: "<=", value: 256, unit: " MiB" }, idle: { op: "<=", value: 150, unit: " MiB" }, filesPerSecond: { op: ">=", value: 4000, unit: " files/s" } } as const

/** A shell pipeline, timed; bash with pipefail, so that a failing stage fails the reference. */
const timedShell = (script: string) =>
  new Promise<number>((resolve, reject) => {
    const start = performance.now()
    const child = spawn("bash", ["-o", "pipefail", "-c", script], { stdio: ["ignore", "ignore", "inherit"] })
    child.once("error", reject)
    child.once("close", (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${script}: exit ${code}`))))
  })

interface Round { readonly operator: number; readonly job: number; readonly reference: number; readonly cpu: number; readonly peak: number; readonly files: number; readonly sampled: MemoryPeaks | undefined }

const main = async () => {
  console.log(`start: ${machineLine()}`)
  const bench = await startBench(size, { concurrency, sampleMemory: args.sampleMemory })
  try {
    const { worker, data, ssh, tenant, totalBytes } = bench
    const referenceOut = (i: number) => path.join(bench.work, `reference-${i}.tar.zst.age`)
    const pipeline = (i: number) => `${ssh} 'tar cf - ${data} 2>/dev/null' | zstd -3 -T0 -q | age -r ${tenant.publicKey} > ${referenceOut(i)}`
    const sources = bench.sources.map((_, i) => i)
    const reference = async () => {
      const start = performance.now()
      await Promise.all(sources.map((i) => timedShell(pipeline(i))))
      return performance.now() - start
    }
    const xvault = async () => {
      const cpuBefore = cpuSeconds(worker.pid)
      const start = performance.now()
      const { value: runs, peakMiB, sampled } = await memoryDuring(worker.pid, bench.metricsPort, () => Promise.all(sources.map((i) => bench.backup(i))))
      const operator = performance.now() - start
      // with several at once: from the first job's start to the last one's end
      const job = Math.max(...runs.map((r) => r.finishedAt)) - Math.min(...runs.map((r) => r.startedAt))
      return { operator, job, cpu: cpuSeconds(worker.pid) - cpuBefore, peak: peakMiB, sampled, runs }
    }

    const idleRss = bench.idleRssMiB
    const samples: Array<Round> = []
    let artifactBytes = 0
    for (let round = 1; round <= rounds; round++) {
      // alternate who goes first, so that whatever else the machine is doing weighs on both alike
      let referenceMs = round % 2 === 1 ? await reference() : 0
      const ours = await xvault()
      if (round % 2 === 0) referenceMs = await reference()
      artifactBytes = ours.runs[0]!.sizeBytes
      samples.push({ ...ours, reference: referenceMs, files: ours.runs.reduce((n, r) => n + r.fileCount, 0) })
      process.stderr.write(
        `round ${round}: xvault job ${seconds(ours.job)} s, operator ${seconds(ours.operator)} s (worker CPU ${ours.cpu.toFixed(2)} s, peak RSS ${ours.peak.toFixed(0)} MiB), reference ${seconds(referenceMs)} s\n`
      )
    }
    const m = (pick: (r: Round) => number) => median(samples.map(pick))
    const [job, operator, ref] = [m((r) => r.job), m((r) => r.operator), m((r) => r.reference)]
    const mib = (totalBytes * concurrency) / MiB
    const rate = (ms: number) => (mib / (ms / 1000)).toFixed(1)

    const at = concurrency === 1 ? "" : `, ${concurrency} backups at once (WORKER_CONCURRENCY=${concurrency}) against ${concurrency} reference pipelines at once`
    console.log(`data set: ${(totalBytes / MiB).toFixed(1)} MiB (${describeSize(size)})${at}`)
    console.log(`median of ${rounds} rounds, alternating; MiB/s of all data backed up per round`)
    console.log(table(["", "seconds", "MiB/s", "artifact MiB"], [
      ["xvault job", seconds(job), rate(job), (artifactBytes / MiB).toFixed(1)],
      ["xvault operator", seconds(operator), rate(operator), ""],
      ["reference", seconds(ref), rate(ref), (fs.statSync(referenceOut(0)).size / MiB).toFixed(1)]
    ]))
    console.log("job: the Hub's started → finished; operator: enqueue → succeeded as polled every 50 ms")
    console.log(verdict("ratio xvault/reference, job time:", job / ref, TARGET.ratio))
    console.log(verdict("ratio xvault/reference, operator time:", operator / ref, TARGET.ratio))
    if (args.small) {
      const files = samples[0]!.files
      console.log(verdict("small files end to end, job time:", files / (job / 1000), TARGET.filesPerSecond, 0))
      console.log(verdict("small files end to end, operator time:", files / (operator / 1000), TARGET.filesPerSecond, 0))
    }
    console.log(`worker CPU per round: ${m((r) => r.cpu).toFixed(2)} s (user + system, all threads, /proc)`)
    console.log(verdict("worker peak RSS (VmHWM, highest round):", Math.max(...samples.map((r) => r.peak)), TARGET.peak, 0))
    console.log(verdict(`worker idle RSS before the first backup${args.sampleMemory ? " (its metrics server on: judge idle without --sample-memory)" : ""}:`, idleRss, TARGET.idle, 0))
    const peaks = samples.map((r) => r.sampled).filter((s) => s !== undefined)
    if (peaks.length > 0) console.log(`worker memory, ${describePeaks(peaks.reduce((a, b) => (a.rss >= b.rss ? a : b)))}`)
    console.log(`end: ${machineLine()}`)
  } finally {
    await bench.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
