/**
 * npm run bench:restore [-- --rounds N --random-mib N --text-mib N --small-files N --small-bytes MIN-MAX --small --sample-memory]
 *
 * Backs up the bench data set once through a real Hub + worker (served by a real sshd on
 * loopback), then reads that one snapshot back, alternating rounds, each case against a
 * reference pipeline on the same artifact file with the tenant's exported key:
 *
 * - verify:  `xvault snapshot verify --wait` vs `age -d -i KEY ARTIFACT | zstd -d | tar -t > /dev/null`
 * - archive: `xvault restore create --wait` (restore.tar on the worker) vs `age -d … | zstd -d > restore.tar`
 * - sftp:    `xvault restore create --to sftp --target-path DIR --wait` vs `age -d … | zstd -d | ssh host 'tar -x -C DIR'`
 *
 * Each case is judged on the job's own time (started → finished on the Hub) against its target;
 * the operator's time (the CLI process from start to exit, Node start-up and the CLI's 500 ms
 * polling included) is printed beside it. Also the worker's CPU time and peak RSS per case
 * (VmHWM, reset before each run through /proc/PID/clear_refs). Every timed run starts after
 * `sync` (untimed), so that one run's dirty pages are not written out during the next.
 */
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "../test/support/HubProcess.js"
import { adminToken, type Bench, benchArgs, cpuSeconds, describeSize, type JobJson, jobMs, machineLine, MiB, procStatusMiB, startBench } from "./harness.js"
import { median, seconds, table, type Target, verdict } from "./report.js"
import { describePeaks, memoryDuring, type MemoryPeaks } from "./workerMemory.js"

const args = benchArgs({ randomMiB: 128, textMiB: 128, smallFiles: 2500, smallBytes: { min: 200, max: 8200 }, rounds: 5 }, { concurrency: false })
const { size, rounds } = args
const PEAK: Target = { op: "<=", value: 256, unit: " MiB" }
const IDLE: Target = { op: "<=", value: 150, unit: " MiB" }

/** `xvault ...args --json` as an operator runs it; fails unless it exits 0. */
const xvaultCli = (bench: Bench, args: ReadonlyArray<string>) =>
  new Promise<{ readonly ms: number; readonly stdout: string }>((resolve, reject) => {
    const start = performance.now()
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "run.js"), ...args, "--json"], {
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: process.env["HOME"] ?? os.homedir(),
        HUB_BASE_URL: bench.hub.baseUrl,
        XVAULT_TOKEN: adminToken
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.once("error", reject)
    child.once("close", (code) => {
      const ms = performance.now() - start
      if (code === 0) resolve({ ms, stdout })
      else reject(new Error(`xvault ${args.join(" ")} exited with ${code}:\n${stderr}${stdout}`))
    })
  })

/** A shell pipeline, timed; bash with pipefail, so that a failing stage fails the reference. */
const timedShell = (script: string) => {
  const start = performance.now()
  execFileSync("bash", ["-o", "pipefail", "-c", script], { stdio: ["ignore", "ignore", "inherit"] })
  return performance.now() - start
}

/** "N files, M bytes" under `dir`. */
const fileStats = (dir: string) => {
  const [files, bytes] = execFileSync("sh", ["-c", `find "${dir}" -type f | wc -l; du -sb --apparent-size "${dir}" | cut -f1`], { encoding: "utf8" }).split("\n")
  return `${files} files, ${bytes} bytes`
}

interface Case {
  readonly name: string
  /** On the job's own time. */
  readonly target: Target
  readonly xvault: (round: number) => Promise<JobJson>
  readonly reference: (round: number) => number
  /** Removes what a round wrote (untimed). */
  readonly cleanup: (round: number, job: JobJson) => void
}

const main = async () => {
  console.log(`start: ${machineLine()}`)
  const bench = await startBench(size, { sampleMemory: args.sampleMemory })
  try {
    const { worker, tenant, sshd, ssh, totalBytes } = bench
    const source = bench.sources[0]!
    const startRss = bench.idleRssMiB
    process.stderr.write("backing up once…\n")
    const backup = await bench.backup()
    const artifact = path.join(worker.storage, "tenants", tenant.id, "sources", source.id, "snapshots", backup.snapshotId, "backup.tar.zst.enc")
    if (fs.statSync(artifact).size !== backup.sizeBytes) throw new Error(`${artifact} is not the snapshot's artifact`)
    const keyFile = path.join(bench.work, "tenant.key")
    const exported = await xvaultCli(bench, ["tenant", "key", "export", "--tenant-id", tenant.id])
    fs.writeFileSync(keyFile, `${(JSON.parse(exported.stdout) as { secretKey: string }).secretKey}\n`, { mode: 0o600 })
    const backupPeakRss = procStatusMiB(worker.pid, "VmHWM")
    const idleRss = procStatusMiB(worker.pid, "VmRSS")
    // warm the page cache with the artifact, so that neither side pays for its first read
    execFileSync("sh", ["-c", `cat "${artifact}" > /dev/null`])

    // what any xvault command costs before it does anything: Node and the CLI starting, one request
    const cliStarts: Array<number> = []
    for (let i = 0; i < 3; i++) cliStarts.push((await xvaultCli(bench, ["snapshot", "show", backup.snapshotId])).ms)
    const cliStartMs = median(cliStarts)

    const decrypt = `age -d -i ${keyFile} ${artifact} | zstd -d -q`
    const job = async (args: ReadonlyArray<string>) => {
      const run = await xvaultCli(bench, args)
      const finished = JSON.parse(run.stdout) as JobJson
      if (finished.status !== "succeeded") throw new Error(`xvault ${args.join(" ")}: job ${finished.status}: ${finished.error}`)
      return finished
    }
    const referenceTar = path.join(bench.work, "restore.tar")
    const sftpTarget = (who: string, round: number) => path.join(sshd.root, `restore-${who}-${round}`)
    const cases: ReadonlyArray<Case> = [
      {
        name: "verify",
        target: { op: "<=", value: 1.5 },
        xvault: async () => {
          const verified = await job(["snapshot", "verify", "--snapshot-id", backup.snapshotId, "--wait"])
          if (verified.result?.["intact"] !== true) throw new Error(`verify found the snapshot damaged: ${JSON.stringify(verified.result)}`)
          return verified
        },
        reference: () => timedShell(`${decrypt} | tar -t > /dev/null`),
        cleanup: () => {}
      },
      {
        name: "restore archive",
        target: { op: "<=", value: 1.5 },
        xvault: () => job(["restore", "create", "--snapshot-id", backup.snapshotId, "--wait"]),
        reference: () => timedShell(`${decrypt} > ${referenceTar}`),
        cleanup: (_round, restored) => {
          fs.rmSync(referenceTar, { force: true })
          const locator = restored.result?.["locator"]
          if (typeof locator === "string") fs.rmSync(path.dirname(path.join(worker.storage, locator)), { recursive: true, force: true })
        }
      },
      {
        name: "restore sftp",
        target: { op: "<=", value: 1.0 },
        xvault: (round) =>
          job(["restore", "create", "--snapshot-id", backup.snapshotId, "--to", "sftp", "--target-path", sftpTarget("xvault", round), "--wait"]),
        reference: (round) => {
          const target = sftpTarget("reference", round)
          return timedShell(`${decrypt} | ${ssh} 'mkdir -p ${target} && tar -x -C ${target}'`)
        },
        cleanup: (round) => {
          const [xvault, reference] = [sftpTarget("xvault", round), sftpTarget("reference", round)]
          // both must have written the same tree, or the comparison means nothing
          const [ours, theirs] = [fileStats(xvault), fileStats(reference)]
          if (ours !== theirs) throw new Error(`the SFTP restores differ: xvault ${ours}, reference ${theirs}`)
          if (round === 1) process.stderr.write(`  sftp targets alike: ${ours}\n`)
          for (const dir of [xvault, reference]) fs.rmSync(dir, { recursive: true, force: true })
        }
      }
    ]

    interface Sample { readonly xvault: number; readonly job: number; readonly reference: number; readonly cpu: number; readonly peak: number; readonly sampled: MemoryPeaks | undefined }
    const samples = new Map<string, Array<Sample>>(cases.map((c) => [c.name, []]))
    for (let round = 1; round <= rounds; round++) {
      for (const c of cases) {
        // reference first in odd rounds, xvault first in even ones; dirty pages written out before each run
        const runReference = () => {
          execFileSync("sync")
          return c.reference(round)
        }
        const runXvault = async () => {
          execFileSync("sync")
          const cpuBefore = cpuSeconds(worker.pid)
          const start = performance.now()
          const { value, peakMiB, sampled } = await memoryDuring(worker.pid, bench.metricsPort, () => c.xvault(round))
          return { ms: performance.now() - start, job: value, cpu: cpuSeconds(worker.pid) - cpuBefore, peakMiB, sampled }
        }
        let referenceMs = round % 2 === 1 ? runReference() : 0
        const ours = await runXvault()
        if (round % 2 === 0) referenceMs = runReference()
        c.cleanup(round, ours.job)
        const job = jobMs(ours.job)
        samples.get(c.name)!.push({ xvault: ours.ms, job, reference: referenceMs, cpu: ours.cpu, peak: ours.peakMiB, sampled: ours.sampled })
        process.stderr.write(
          `round ${round} ${c.name}: xvault ${seconds(ours.ms)} s (job ${seconds(job)} s, worker CPU ${ours.cpu.toFixed(2)} s, ` +
            `peak RSS ${ours.peakMiB.toFixed(0)} MiB), reference ${seconds(referenceMs)} s\n`
        )
      }
    }

    const mib = totalBytes / MiB
    const rate = (ms: number) => (mib / (ms / 1000)).toFixed(1)
    console.log(`data set: ${mib.toFixed(1)} MiB (${describeSize(size)}), artifact ${(backup.sizeBytes / MiB).toFixed(1)} MiB`)
    console.log(`the one backup: ${seconds(backup.operatorMs)} s; worker RSS ${startRss.toFixed(0)} MiB idle before it, peak ${backupPeakRss.toFixed(0)} MiB during it, ${idleRss.toFixed(0)} MiB after it`)
    console.log(`an xvault command's fixed cost (snapshot show, start to exit): ${seconds(cliStartMs)} s; --wait polls every 0.5 s`)
    console.log(`median of ${rounds} rounds, alternating; MiB/s of the data set on the job's time`)
    const header = ["case", "job s", "reference s", "ratio", "job MiB/s", "ref MiB/s", "operator s", "worker CPU s", "peak RSS MiB"]
    const summary = cases.map((c) => {
      const s = samples.get(c.name)!
      const at = (pick: (v: Sample) => number) => median(s.map(pick))
      const peaks = s.map((v) => v.sampled).filter((p) => p !== undefined)
      return { c, job: at((v) => v.job), reference: at((v) => v.reference), operator: at((v) => v.xvault), cpu: at((v) => v.cpu), peak: Math.max(...s.map((v) => v.peak)),
        sampled: peaks.length === 0 ? undefined : peaks.reduce((a, b) => (a.rss >= b.rss ? a : b)) }
    })
    console.log(table(header, summary.map((v) => [v.c.name, seconds(v.job), seconds(v.reference), (v.job / v.reference).toFixed(2), rate(v.job), rate(v.reference),
      seconds(v.operator), v.cpu.toFixed(2), v.peak.toFixed(0)])))
    console.log("job: started → finished on the Hub; operator: the CLI with --wait, start to exit; peak RSS: the worker's VmHWM during the case, highest round")
    for (const v of summary) {
      console.log(verdict(`${v.c.name}: ratio xvault/reference, job time:`, v.job / v.reference, v.c.target))
      console.log(verdict(`${v.c.name}: worker peak RSS:`, v.peak, PEAK, 0))
      if (v.sampled !== undefined) console.log(`  worker memory, ${describePeaks(v.sampled)}`)
    }
    console.log(verdict("backup: worker peak RSS:", backupPeakRss, PEAK, 0))
    console.log(verdict(`worker idle RSS before the backup${args.sampleMemory ? " (its metrics server on: judge idle without --sample-memory)" : ""}:`, startRss, IDLE, 0))
    console.log(`end: ${machineLine()}`)
  } finally {
    await bench.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
