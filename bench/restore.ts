/**
 * npm run bench:restore [-- --random-mib N --text-mib N --small-files N --rounds N]
 *
 * Backs up the bench data set once through a real Hub + worker (served by a real sshd on
 * loopback), then reads that one snapshot back, alternating rounds, each case against a
 * reference pipeline on the same artifact file with the tenant's exported key:
 *
 * - verify:  `xvault snapshot verify --wait` vs `age -d -i KEY ARTIFACT | zstd -d | tar -t > /dev/null`
 * - archive: `xvault restore create --wait` (restore.tar on the worker) vs `age -d … | zstd -d > restore.tar`
 * - sftp:    `xvault restore create --to sftp --target-path DIR --wait` vs `age -d … | zstd -d | ssh host 'tar -x -C DIR'`
 *
 * xvault is timed as an operator sees it: the CLI process from start to exit (Node start-up and
 * the CLI's 500 ms polling included); the job's own time (created → finished on the Hub) is
 * printed beside it. Also the worker's CPU time and peak RSS per case (VmHWM, reset before
 * each run through /proc/PID/clear_refs). Every timed run starts after `sync` (untimed), so that
 * one run's dirty pages are not written out during the next.
 */
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { repoRoot } from "../test/support/HubProcess.js"
import { adminToken, type Bench, benchArgs, cpuSeconds, describeSize, median, MiB, procStatusMiB, startBench } from "./harness.js"

const { size, rounds } = benchArgs({ randomMiB: 128, textMiB: 128, smallFiles: 2500, rounds: 3 })

interface JobJson {
  readonly id: string
  readonly status: string
  readonly error: string | null
  readonly result: Record<string, unknown> | null
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
}

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

/** The worker's peak RSS over `run`: VmHWM after resetting it, or (where that is refused) the highest VmRSS polled every 20 ms. */
const peakRssDuring = async <A>(pid: number, run: () => Promise<A>): Promise<{ readonly value: A; readonly peakMiB: number }> => {
  const resettable = (() => {
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, "5")
      return true
    } catch {
      return false
    }
  })()
  if (resettable) {
    const value = await run()
    return { value, peakMiB: procStatusMiB(pid, "VmHWM") }
  }
  let polled = procStatusMiB(pid, "VmRSS")
  const poll = setInterval(() => (polled = Math.max(polled, procStatusMiB(pid, "VmRSS"))), 20)
  try {
    const value = await run()
    return { value, peakMiB: Math.max(polled, procStatusMiB(pid, "VmRSS")) }
  } finally {
    clearInterval(poll)
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(2)
/** "N files, M bytes" under `dir`. */
const fileStats = (dir: string) => {
  const [files, bytes] = execFileSync("sh", ["-c", `find "${dir}" -type f | wc -l; du -sb --apparent-size "${dir}" | cut -f1`], { encoding: "utf8" }).split("\n")
  return `${files} files, ${bytes} bytes`
}

interface Case {
  readonly name: string
  readonly xvault: (round: number) => Promise<JobJson>
  readonly reference: (round: number) => number
  /** Removes what a round wrote (untimed). */
  readonly cleanup: (round: number, job: JobJson) => void
}

const main = async () => {
  const bench = await startBench(size)
  try {
    const { worker, tenant, source, sshd, ssh, totalBytes } = bench
    const startRss = procStatusMiB(worker.pid, "VmRSS")
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

    interface Sample { readonly xvault: number; readonly job: number; readonly reference: number; readonly cpu: number; readonly peak: number }
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
          const { value, peakMiB } = await peakRssDuring(worker.pid, () => c.xvault(round))
          return { ms: performance.now() - start, job: value, cpu: cpuSeconds(worker.pid) - cpuBefore, peakMiB }
        }
        let referenceMs = round % 2 === 1 ? runReference() : 0
        const ours = await runXvault()
        if (round % 2 === 0) referenceMs = runReference()
        c.cleanup(round, ours.job)
        const jobMs = Date.parse(ours.job.finishedAt!) - Date.parse(ours.job.createdAt)
        samples.get(c.name)!.push({ xvault: ours.ms, job: jobMs, reference: referenceMs, cpu: ours.cpu, peak: ours.peakMiB })
        process.stderr.write(
          `round ${round} ${c.name}: xvault ${seconds(ours.ms)} s (job ${seconds(jobMs)} s, worker CPU ${ours.cpu.toFixed(2)} s, ` +
            `peak RSS ${ours.peakMiB.toFixed(0)} MiB), reference ${seconds(referenceMs)} s\n`
        )
      }
    }

    const mib = totalBytes / MiB
    const rate = (ms: number) => (mib / (ms / 1000)).toFixed(1)
    console.log(`data set: ${mib.toFixed(1)} MiB (${describeSize(size)}), artifact ${(backup.sizeBytes / MiB).toFixed(1)} MiB, ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`)
    console.log(`the one backup: ${seconds(backup.ms)} s; worker RSS ${startRss.toFixed(0)} MiB idle before it, peak ${backupPeakRss.toFixed(0)} MiB during it, ${idleRss.toFixed(0)} MiB after it`)
    console.log(`an xvault command's fixed cost (snapshot show, start to exit): ${seconds(cliStartMs)} s; --wait polls every 0.5 s`)
    console.log(`median of ${rounds} rounds, alternating; MiB/s of the data set; xvault = the CLI with --wait, start to exit`)
    const header = ["case", "xvault s", "reference s", "ratio", "xvault MiB/s", "ref MiB/s", "job s", "worker CPU s", "peak RSS MiB"]
    const rows = cases.map((c) => {
      const s = samples.get(c.name)!
      const [x, r] = [median(s.map((v) => v.xvault)), median(s.map((v) => v.reference))]
      return [c.name, seconds(x), seconds(r), (x / r).toFixed(2), rate(x), rate(r), seconds(median(s.map((v) => v.job))),
        median(s.map((v) => v.cpu)).toFixed(2), Math.max(...s.map((v) => v.peak)).toFixed(0)]
    })
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
    for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "))
    console.log("job s: created to finished on the Hub; peak RSS: the worker's VmHWM during the case, highest round")
  } finally {
    await bench.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
