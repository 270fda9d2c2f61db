import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness } from "../support/E2e.js"
import { freePort, repoRoot, startHub } from "../support/HubProcess.js"
import { parsePromText, samplesOf } from "../support/PromText.js"
import { buildSourceTree } from "../support/SourceTree.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { startWorker, type WorkerProcess } from "../support/WorkerProcess.js"

const e2e = e2eHarness()
let sshd: SshdServer
let worker: WorkerProcess
let hubMetricsUrl: string
let workerMetricsUrl: string
let work: string

const scrape = async (url: string) => {
  const response = await fetch(url)
  expect(response.status, url).toBe(200)
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/)
  const text = await response.text()
  // Prometheus's own parser and linter, from the prometheus Debian package (.ci/run installs it).
  // It also lints names: prom-client's default nodejs_active_*_total gauges break its _total rule, ours must not.
  const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" })
  expect(check.error).toBeUndefined()
  const problems = `${check.stdout}${check.stderr}`.split("\n").filter((l) => l !== "" && !/^nodejs_active_\w+_total non-counter/.test(l))
  expect(problems).toEqual([])
  return { text, parsed: parsePromText(text) }
}

/** The metric names docs/operations.md lists under "Monitoring and alerting", by role. */
const documentedMetrics = (role: "Hub" | "worker") => {
  const doc = fs.readFileSync(path.join(repoRoot, "docs/operations.md"), "utf8")
  const table = doc.split(`<!-- ${role} metrics -->`)[1]!.split("<!-- end -->")[0]!
  return [...table.matchAll(/^\| `(xvault_[a-z_]+)`/gm)].map((m) => m[1]!)
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-metrics-"))
  const [hubPort, workerPort] = [await freePort(), await freePort()]
  const [hub, server] = await Promise.all([
    e2e.inScope(startHub({ env: { HUB_METRICS_PORT: String(hubPort) } })),
    e2e.inScope(startSshd())
  ])
  e2e.setHub(hub)
  sshd = server
  hubMetricsUrl = `http://127.0.0.1:${hubPort}/metrics`
  worker = await e2e.inScope(startWorker(hub, { env: { WORKER_METRICS_PORT: String(workerPort), WORKER_METRICS_HOST: "127.0.0.1" } }))
  workerMetricsUrl = `http://127.0.0.1:${workerPort}/metrics`
})

afterAll(async () => {
  await e2e.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe("Prometheus metrics (real Hub, worker, PostgreSQL, Redis, sshd)", () => {
  it("after a backup the Hub shows the job counter, the source's last success and its HTTP routes", async () => {
    const tenant = await e2e.json<{ id: string }>(["tenant", "create", "--name", "metrics-acme"])
    const data = path.join(sshd.root, "data")
    buildSourceTree(data)
    const keyFile = path.join(work, "id")
    fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })
    const source = await e2e.json<{ id: string }>([
      "source", "create", "--tenant-id", tenant.id, "--name", "web1", "--host", sshd.host, "--port", String(sshd.port),
      "--username", sshd.username, "--private-key-file", keyFile, "--path", data
    ])
    const before = Date.now() / 1000
    const run = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--wait", "--json"])
    expect(run.code, run.stderr).toBe(0)
    const job = JSON.parse(run.stdout) as { result: { sizeBytes: number; bytesIn: number } }

    const { text, parsed } = await scrape(hubMetricsUrl)
    expect(samplesOf(parsed, "xvault_jobs_finished_total", { type: "backup", status: "succeeded" }).map((s) => s.value)).toEqual([1])
    expect(samplesOf(parsed, "xvault_job_duration_seconds_count", { type: "backup", status: "succeeded" }).map((s) => s.value)).toEqual([1])
    const [lastSuccess] = samplesOf(parsed, "xvault_source_last_success_timestamp_seconds", { tenant: "metrics-acme", source: "web1" })
    expect(lastSuccess!.value).toBeGreaterThan(before - 1)
    expect(lastSuccess!.value).toBeLessThanOrEqual(Date.now() / 1000)
    expect(samplesOf(parsed, "xvault_source_last_verified_timestamp_seconds", { source: "web1" })).toEqual([])
    expect(samplesOf(parsed, "xvault_bytes_written_total", { type: "backup" })[0]!.value).toBe(job.result.sizeBytes)
    expect(samplesOf(parsed, "xvault_bytes_read_total", { type: "backup" })[0]!.value).toBe(job.result.bytesIn)
    expect(samplesOf(parsed, "xvault_tenant_snapshots", { tenant: "metrics-acme", status: "available" })[0]!.value).toBe(1)
    expect(samplesOf(parsed, "xvault_tenant_stored_bytes", { tenant: "metrics-acme" })[0]!.value).toBe(job.result.sizeBytes)
    expect(samplesOf(parsed, "xvault_worker_heartbeat_age_seconds", { worker: "w1" })[0]!.value).toBeLessThan(30)
    expect(samplesOf(parsed, "xvault_worker_free_bytes", { worker: "w1" })[0]!.value).toBeGreaterThan(0)
    expect(samplesOf(parsed, "xvault_queue_jobs", { queue: "backup", state: "waiting" })[0]!.value).toBe(0)
    expect(samplesOf(parsed, "xvault_queue_jobs", { queue: "worker-w1", state: "waiting" })).toHaveLength(1)
    expect(samplesOf(parsed, "xvault_jobs_active", { type: "backup", status: "running" })[0]!.value).toBe(0)
    // route templates, never raw ids
    expect(samplesOf(parsed, "xvault_http_requests_total", { method: "POST", route: "/v1/sources/:id/backups", status: "202" })[0]!.value).toBe(1)
    expect(samplesOf(parsed, "xvault_http_requests_total", { method: "POST", route: "/v1/worker/jobs/:id/claim", status: "200" })).toHaveLength(1)
    expect(text).not.toContain(source.id)
    expect(text).not.toContain(data)
    // every metric the docs list is there, with HELP and TYPE
    for (const name of documentedMetrics("Hub")) expect(parsed.families.has(name), name).toBe(true)
  })

  it("the metrics are not on the API port, and the metrics port serves nothing else", async () => {
    expect((await fetch(`${e2e.hub().baseUrl}/metrics`)).status).toBe(404)
    expect((await fetch(hubMetricsUrl.replace("/metrics", "/v1/tenants"))).status).toBe(404)
    expect((await fetch(workerMetricsUrl.replace("/metrics", "/"))).status).toBe(404)
  })

  it("the worker's own port counts its jobs and bytes and shows its volume", async () => {
    const { parsed } = await scrape(workerMetricsUrl)
    expect(samplesOf(parsed, "xvault_worker_jobs_started_total", { type: "backup" })[0]!.value).toBe(1)
    expect(samplesOf(parsed, "xvault_worker_jobs_succeeded_total", { type: "backup" })[0]!.value).toBe(1)
    expect(samplesOf(parsed, "xvault_worker_jobs_failed_total", { type: "backup" })).toEqual([])
    const [snapshot] = await e2e.query<{ size_bytes: string; bytes_in: string }>("SELECT size_bytes, bytes_in FROM snapshots")
    expect(samplesOf(parsed, "xvault_worker_bytes_written_total", { type: "backup" })[0]!.value).toBe(Number(snapshot!.size_bytes))
    expect(samplesOf(parsed, "xvault_worker_bytes_read_total", { type: "backup" })[0]!.value).toBe(Number(snapshot!.bytes_in))
    const free = samplesOf(parsed, "xvault_worker_storage_free_bytes")[0]!.value
    expect(free).toBeGreaterThan(0)
    expect(free).toBeLessThanOrEqual(samplesOf(parsed, "xvault_worker_storage_size_bytes")[0]!.value)
    expect(samplesOf(parsed, "process_cpu_seconds_total")).toHaveLength(1)
    for (const name of documentedMetrics("worker")) expect(parsed.families.has(name), name).toBe(true)
    expect(worker.log()).toContain("/metrics")
  })

  it("a backup that fails counts as failed on both sides; unknown paths share one route label", async () => {
    const [tenant] = await e2e.query<{ id: string }>("SELECT id FROM tenants WHERE name = 'metrics-acme'")
    const keyFile = path.join(work, "id")
    const source = await e2e.json<{ id: string }>([
      "source", "create", "--tenant-id", tenant!.id, "--name", "gone", "--host", sshd.host, "--port", String(sshd.port),
      "--username", sshd.username, "--private-key-file", keyFile, "--path", path.join(sshd.root, "no-such-dir")
    ])
    const run = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--wait"])
    expect(run.code).toBe(1)
    await fetch(`${e2e.hub().baseUrl}/no/such/${source.id}`)

    const hub = (await scrape(hubMetricsUrl)).parsed
    expect(samplesOf(hub, "xvault_jobs_finished_total", { type: "backup", status: "failed" }).map((s) => s.value)).toEqual([1])
    expect(samplesOf(hub, "xvault_jobs_finished_total", { type: "backup", status: "succeeded" }).map((s) => s.value)).toEqual([1])
    expect(samplesOf(hub, "xvault_source_last_success_timestamp_seconds", { source: "gone" })).toEqual([])
    // this path and the earlier GET /metrics on the API port: two raw paths, one series
    expect(samplesOf(hub, "xvault_http_requests_total", { method: "GET", route: "unmatched", status: "404" })[0]!.value).toBe(2)
    const own = (await scrape(workerMetricsUrl)).parsed
    expect(samplesOf(own, "xvault_worker_jobs_failed_total", { type: "backup" })[0]!.value).toBe(1)
    expect(samplesOf(own, "xvault_worker_jobs_started_total", { type: "backup" })[0]!.value).toBe(2)
  })
})
