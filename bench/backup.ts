/**
 * npm run bench:backup [-- --random-mib N --text-mib N --small-files N --rounds N]
 *
 * Backs up one deterministic data set, served by a real sshd on loopback, twice in the same
 * run: through a real Hub + worker (`xvault backup`), and through the reference pipeline
 * `ssh host 'tar cf - DIR' | zstd -3 -T0 | age -r KEY > out`. Prints both wall times, MiB/s,
 * the ratio xvault/reference and the worker's peak RSS.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { benchArgs, cpuSeconds, describeSize, median, MiB, procStatusMiB, startBench } from "./harness.js"

const { size, rounds } = benchArgs({ randomMiB: 256, textMiB: 256, smallFiles: 5000, rounds: 3 })

const main = async () => {
  const bench = await startBench(size)
  try {
    const { worker, data, ssh, tenant, totalBytes } = bench
    const referenceOut = path.join(bench.work, "reference.tar.zst.age")
    const reference = () => {
      const start = performance.now()
      execFileSync("sh", ["-c", `${ssh} 'tar cf - ${data} 2>/dev/null' | zstd -3 -T0 -q | age -r ${tenant.publicKey} > ${referenceOut}`])
      return performance.now() - start
    }

    const idleRss = procStatusMiB(worker.pid, "VmRSS")
    // alternate, so that whatever else the machine is doing weighs on both alike
    const times = { xvault: [] as Array<number>, reference: [] as Array<number>, workerCpu: [] as Array<number> }
    let artifactBytes = 0
    for (let round = 1; round <= rounds; round++) {
      times.reference.push(reference())
      const cpuBefore = cpuSeconds(worker.pid)
      const run = await bench.backup()
      times.xvault.push(run.ms)
      times.workerCpu.push(cpuSeconds(worker.pid) - cpuBefore)
      artifactBytes = run.sizeBytes
      process.stderr.write(`round ${round}: xvault ${(run.ms / 1000).toFixed(2)} s (worker CPU ${times.workerCpu.at(-1)!.toFixed(2)} s), reference ${(times.reference.at(-1)! / 1000).toFixed(2)} s\n`)
    }
    const rss = procStatusMiB(worker.pid, "VmHWM")
    const xvaultMs = median(times.xvault)
    const referenceMs = median(times.reference)

    const mib = totalBytes / MiB
    const row = (name: string, ms: number, out: number) =>
      `${name.padEnd(10)} ${(ms / 1000).toFixed(2).padStart(7)} s ${(mib / (ms / 1000)).toFixed(1).padStart(7)} MiB/s  artifact ${(out / MiB).toFixed(1)} MiB`
    console.log(`data set: ${mib.toFixed(1)} MiB (${describeSize(size)}), ${os.availableParallelism()} cores`)
    console.log(`median of ${rounds} rounds, alternating:`)
    console.log(row("xvault", xvaultMs, artifactBytes))
    console.log(row("reference", referenceMs, fs.statSync(referenceOut).size))
    console.log(`ratio xvault/reference: ${(xvaultMs / referenceMs).toFixed(2)} (target <= 1.2)`)
    console.log(`worker CPU per backup: ${median(times.workerCpu).toFixed(2)} s (user + system, all threads)`)
    console.log(`worker peak RSS: ${rss.toFixed(0)} MiB (target <= 256 MiB; ${idleRss.toFixed(0)} MiB idle before the backup)`)
  } finally {
    await bench.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
