import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness, eventually, filesUnder } from "../support/E2e.js"
import { startHub } from "../support/HubProcess.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { startWorkerWith, tempStorage, workerEnv } from "../support/WorkerProcess.js"

const e2e = e2eHarness()
let sshd: SshdServer
let tenantId: string
let work: string

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

const newSource = async (data: string) => {
  const keyFile = path.join(work, "client.key")
  fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })
  return e2e.json<{ id: string }>([
    "source", "create", "--tenant-id", tenantId, "--name", unique("src"), "--host", sshd.host, "--port", String(sshd.port),
    "--username", sshd.username, "--private-key-file", keyFile, "--path", data
  ])
}

const job = async (id: string) =>
  (await e2e.query<{ status: string; attempt: number; error: string | null; progress: { bytesRead: number } | null }>(
    "SELECT status, attempt, error, progress FROM jobs WHERE id = $1", [id]))[0]!

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-crash-"))
  const [hub, server] = await Promise.all([
    e2e.inScope(startHub({
      env: { HUB_JOB_LEASE_SECONDS: "5", HUB_RETRY_BASE_SECONDS: "0.2", HUB_SWEEP_INTERVAL_SECONDS: "0.5" }
    })),
    e2e.inScope(startSshd())
  ])
  e2e.setHub(hub)
  sshd = server
  tenantId = (await e2e.json<{ id: string }>(["tenant", "create", "--name", unique("crash")])).id
})

afterAll(async () => {
  await e2e.close()
  execFileSync("sh", ["-c", `umount "${path.join(work, "tiny")}" 2>/dev/null || true`])
  fs.rmSync(work, { recursive: true, force: true })
})

describe("a worker that dies or runs out of disk (real Hub, worker, sshd)", () => {
  it("SIGKILL mid-backup: the restarted worker retries and exactly one snapshot exists, with nothing partial", async () => {
    const data = path.join(sshd.root, "big")
    fs.mkdirSync(data)
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(data, `random-${i}.bin`), randomBytes(64 * 1024 * 1024))
    const source = await newSource(data)
    const storage = await e2e.inScope(tempStorage)
    const env = workerEnv(e2e.hub(), "w-crash", storage)
    const first = await e2e.inScope(startWorkerWith(env))

    const queued = await e2e.json<{ id: string; snapshotId: string }>(["backup", "enqueue", "--source-id", source.id])
    await eventually("the backup to be under way", async () => ((await job(queued.id)).progress?.bytesRead ?? 0) > 0 || undefined)
    await first.kill("SIGKILL")
    const snapshotDir = path.join(storage, "tenants", tenantId, "sources", source.id, "snapshots", queued.snapshotId)
    expect(filesUnder(snapshotDir).some((f) => f.endsWith(".partial"))).toBe(true)

    const second = await e2e.inScope(startWorkerWith(env))
    const done = await eventually("the retry to finish", async () => {
      const j = await job(queued.id)
      return j.status === "succeeded" || j.status === "failed" ? j : undefined
    }, 60_000)
    expect(done).toMatchObject({ status: "succeeded", attempt: 2 })
    const rows = await e2e.query<{ id: string }>("SELECT id FROM snapshots WHERE source_id = $1", [source.id])
    expect(rows).toEqual([{ id: queued.snapshotId }])
    expect(filesUnder(path.join(storage, "tenants", tenantId, "sources", source.id, "snapshots"))).toEqual([
      queued.snapshotId,
      `${queued.snapshotId}/backup.tar.zst.enc`,
      `${queued.snapshotId}/manifest.json`
    ])
    // the next test needs the shared queue to itself
    await second.stop()
  }, 120_000)

  it("sshd dying mid-transfer fails the attempt as a lost connection and leaves no file behind", async () => {
    const dying = await e2e.inScope(startSshd())
    const data = path.join(dying.root, "big")
    fs.mkdirSync(data)
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(data, `random-${i}.bin`), randomBytes(64 * 1024 * 1024))
    const keyFile = path.join(work, "dying.key")
    fs.writeFileSync(keyFile, dying.privateKey, { mode: 0o600 })
    const source = await e2e.json<{ id: string }>([
      "source", "create", "--tenant-id", tenantId, "--name", unique("dying"), "--host", dying.host,
      "--port", String(dying.port), "--username", dying.username, "--private-key-file", keyFile, "--path", data
    ])
    const storage = await e2e.inScope(tempStorage)
    const worker = await e2e.inScope(startWorkerWith(workerEnv(e2e.hub(), "w-dying", storage)))

    const queued = await e2e.json<{ id: string }>(["backup", "enqueue", "--source-id", source.id])
    await eventually("the backup to be under way", async () => ((await job(queued.id)).progress?.bytesRead ?? 0) > 0 || undefined)
    await Effect.runPromise(dying.stop)
    const done = await eventually("the job to end", async () => {
      const j = await job(queued.id)
      return j.status === "failed" ? j : undefined
    }, 60_000)
    expect(worker.log()).toMatch(new RegExp(`attempt 1 failed: connection to 127\\.0\\.0\\.1:${dying.port} was lost`))
    expect(done.error).toMatch(/cannot reach/)
    expect(await e2e.query("SELECT id FROM snapshots WHERE source_id = $1", [source.id])).toEqual([])
    expect(filesUnder(path.join(storage, "tenants", tenantId, "sources", source.id, "snapshots"))).toEqual([])
    await worker.stop()
  }, 120_000)

  it("a full disk fails the backup saying so, and leaves no file behind", async () => {
    const data = path.join(sshd.root, "incompressible")
    fs.mkdirSync(data)
    fs.writeFileSync(path.join(data, "random.bin"), randomBytes(8 * 1024 * 1024))
    const source = await newSource(data)
    const tiny = path.join(work, "tiny")
    fs.mkdirSync(tiny)
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", tiny])
    await e2e.inScope(startWorkerWith(workerEnv(e2e.hub(), "w-full", tiny)))

    const result = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--wait"])
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toMatch(/storage is full \(ENOSPC\)/)
    expect(await e2e.query("SELECT id FROM snapshots WHERE source_id = $1", [source.id])).toEqual([])
    expect(filesUnder(path.join(tiny, "tenants", tenantId, "sources", source.id, "snapshots"))).toEqual([])
  }, 120_000)
})
