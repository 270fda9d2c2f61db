/**
 * npm run bench:backup [-- --random-mib N --text-mib N --small-files N]
 *
 * Backs up one deterministic data set, served by a real sshd on loopback, twice in the same
 * run: through a real Hub + worker (`xvault backup`), and through the reference pipeline
 * `ssh host 'tar cf - DIR' | zstd -3 -T0 | age -r KEY > out`. Prints both wall times, MiB/s,
 * the ratio xvault/reference and the worker's peak RSS.
 */
import { execFileSync, execSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { Effect, Exit, Redacted, Scope } from "effect"
import { mint } from "../src/shared/auth/Jwt.js"
import { testJwtSecret } from "../test/support/env.js"
import { startHub } from "../test/support/HubProcess.js"
import { startSshd } from "../test/support/Sshd.js"
import { startWorkerWith, tempStorage, workerEnv } from "../test/support/WorkerProcess.js"
import { buildDataset } from "./dataset.js"

const MiB = 1024 * 1024
const { values } = parseArgs({
  options: {
    "random-mib": { type: "string", default: "256" },
    "text-mib": { type: "string", default: "256" },
    "small-files": { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" }
  }
})
const rounds = Number(values.rounds)
const size = {
  randomMiB: Number(values["random-mib"]),
  textMiB: Number(values["text-mib"]),
  smallFiles: Number(values["small-files"])
}

const scope = Effect.runSync(Scope.make())
const inScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(effect, scope))
const admin = mint(Redacted.make(testJwtSecret), { role: "admin", ttlSeconds: 3600 })

const call = async <A>(baseUrl: string, method: string, url: string, body?: unknown): Promise<A> => {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as A
}

/** User + system CPU seconds a process has used so far. */
const cpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const procStatusMiB = (pid: number, field: "VmHWM" | "VmRSS") => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024
}

const main = async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-bench-"))
  try {
    const [hub, sshd] = await Promise.all([inScope(startHub({ migrate: true })), inScope(startSshd())])
    const data = path.join(sshd.root, "data")
    process.stderr.write(`building data set (${size.randomMiB} MiB random, ${size.textMiB} MiB text, ${size.smallFiles} small files)…\n`)
    const totalBytes = buildDataset(data, size)
    const keyFile = path.join(work, "client.key")
    fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })

    const tenant = await call<{ id: string; publicKey: string }>(hub.baseUrl, "POST", "/v1/tenants", { name: "bench" })
    const source = await call<{ id: string }>(hub.baseUrl, "POST", `/v1/tenants/${tenant.id}/sources`, {
      name: "bench",
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      credentials: { _tag: "privateKey", privateKey: sshd.privateKey },
      paths: [data],
      hostKey: sshd.hostKeyFingerprint
    })
    const storage = await inScope(tempStorage)
    const worker = await inScope(startWorkerWith(workerEnv(hub, "bench", storage, { WORKER_CONCURRENCY: "1" })))
    // warm the page cache so neither run pays for the first read from disk
    execSync(`tar cf - -C "${data}" . > /dev/null`)

    const ssh = `ssh -p ${sshd.port} -i ${keyFile} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR ${sshd.username}@${sshd.host}`
    const referenceOut = path.join(work, "reference.tar.zst.age")
    const reference = () => {
      const start = performance.now()
      execFileSync("sh", ["-c", `${ssh} 'tar cf - ${data} 2>/dev/null' | zstd -3 -T0 -q | age -r ${tenant.publicKey} > ${referenceOut}`])
      return performance.now() - start
    }
    const xvault = async () => {
      const start = performance.now()
      const job = await call<{ id: string }>(hub.baseUrl, "POST", `/v1/sources/${source.id}/backups`, {})
      for (;;) {
        const state = await call<{ status: string; error: string | null; result: { sizeBytes: number } | null }>(
          hub.baseUrl, "GET", `/v1/jobs/${job.id}`)
        if (state.status === "failed") throw new Error(`the xvault backup failed: ${state.error}`)
        if (state.status === "succeeded") return { ms: performance.now() - start, sizeBytes: state.result!.sizeBytes }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }

    const idleRss = procStatusMiB(worker.pid, "VmRSS")
    // alternate, so that whatever else the machine is doing weighs on both alike
    const times = { xvault: [] as Array<number>, reference: [] as Array<number>, workerCpu: [] as Array<number> }
    let artifactBytes = 0
    for (let round = 1; round <= rounds; round++) {
      times.reference.push(reference())
      const cpuBefore = cpuSeconds(worker.pid)
      const run = await xvault()
      times.xvault.push(run.ms)
      times.workerCpu.push(cpuSeconds(worker.pid) - cpuBefore)
      artifactBytes = run.sizeBytes
      process.stderr.write(`round ${round}: xvault ${(run.ms / 1000).toFixed(2)} s (worker CPU ${times.workerCpu.at(-1)!.toFixed(2)} s), reference ${(times.reference.at(-1)! / 1000).toFixed(2)} s\n`)
    }
    const rss = procStatusMiB(worker.pid, "VmHWM")
    const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const xvaultMs = median(times.xvault)
    const referenceMs = median(times.reference)

    const mib = totalBytes / MiB
    const row = (name: string, ms: number, out: number) =>
      `${name.padEnd(10)} ${(ms / 1000).toFixed(2).padStart(7)} s ${(mib / (ms / 1000)).toFixed(1).padStart(7)} MiB/s  artifact ${(out / MiB).toFixed(1)} MiB`
    console.log(`data set: ${mib.toFixed(1)} MiB (${size.randomMiB} MiB random, ${size.textMiB} MiB text, ${size.smallFiles} small files), ${os.availableParallelism()} cores`)
    console.log(`median of ${rounds} rounds, alternating:`)
    console.log(row("xvault", xvaultMs, artifactBytes))
    console.log(row("reference", referenceMs, fs.statSync(referenceOut).size))
    console.log(`ratio xvault/reference: ${(xvaultMs / referenceMs).toFixed(2)} (target <= 1.2)`)
    console.log(`worker CPU per backup: ${median(times.workerCpu).toFixed(2)} s (user + system, all threads)`)
    console.log(`worker peak RSS: ${rss.toFixed(0)} MiB (target <= 256 MiB; ${idleRss.toFixed(0)} MiB idle before the backup)`)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    fs.rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
