import { execFileSync } from "node:child_process"
import { createHash, randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Chunk, Effect, Redacted, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mint } from "../../src/shared/auth/Jwt.js"
import type { TenantId } from "../../src/shared/contract/Ids.js"
import { ageEncryptor } from "../../src/worker/artifact/AgeStream.js"
import { zstdFrames } from "../../src/worker/artifact/ZstdFrames.js"
import { e2eHarness, eventually, filesUnder, sleep } from "../support/E2e.js"
import { testJwtSecret } from "../support/env.js"
import { startHub } from "../support/HubProcess.js"
import { buildSourceTree, describeTree } from "../support/SourceTree.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { startWorker, startWorkerWith, workerEnv, type WorkerProcess } from "../support/WorkerProcess.js"
import { escapingItems, tarOf } from "../worker/RestoreFixtures.js"

const e2e = e2eHarness()
let sshd: SshdServer
let worker: WorkerProcess
let tenant: { id: string; publicKey: string }
let source: { id: string }
let snapshotId: string
let data: string
let work: string

const mintTenantToken = (tenantId: string) =>
  mint(Redacted.make(testJwtSecret), { role: "tenant", tenantId: tenantId as TenantId, ttlSeconds: 600 })

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

const restoresDir = () => path.join(worker.storage, "tenants", tenant.id, "sources", source.id, "restores")
const artifactOf = (id: string) =>
  path.join(worker.storage, "tenants", tenant.id, "sources", source.id, "snapshots", id, "backup.tar.zst.enc")

const backup = async () => {
  const run = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--wait", "--json"])
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout).snapshotId as string
}

/** POST a restore as `token` and return the HTTP status and body. */
const requestRestore = async (id: string, body: Record<string, unknown>, token = e2e.adminToken) => {
  const response = await fetch(`${e2e.hub().baseUrl}/v1/snapshots/${id}/restores`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  return { status: response.status, body: await response.json() as any }
}

const waitForJob = (jobId: string) =>
  eventually("the job to end", async () => {
    const job = await e2e.api<{ status: string }>("GET", `/v1/jobs/${jobId}`)
    return job.status === "succeeded" || job.status === "failed" ? job as any : undefined
  }, 60_000)

/** A snapshot of `tar` encrypted to the tenant's key, recorded as a completed backup would be. */
const craftedSnapshot = async (tar: Uint8Array) => {
  const id = randomUUID()
  const jobId = randomUUID()
  const locator = `tenants/${tenant.id}/sources/${source.id}/snapshots/${id}/backup.tar.zst.enc`
  const encryptor = ageEncryptor([tenant.publicKey])
  const bytes = Buffer.concat(Chunk.toArray(await Effect.runPromise(
    Stream.runCollect(Stream.make(tar).pipe(zstdFrames({ frameBytes: 64 * 1024 }), encryptor.encrypt))
  )))
  fs.mkdirSync(path.dirname(path.join(worker.storage, locator)), { recursive: true })
  fs.writeFileSync(path.join(worker.storage, locator), bytes)
  await e2e.query(
    `INSERT INTO jobs (id, type, status, tenant_id, source_id, snapshot_id, finished_at)
     VALUES ($1, 'backup', 'succeeded', $2, $3, $4, now())`, [jobId, tenant.id, source.id, id])
  await e2e.query(
    `INSERT INTO snapshots (id, tenant_id, source_id, job_id, worker_id, storage_backend, locator, size_bytes, sha256, age_header)
     VALUES ($1, $2, $3, $4, $5, 'local_fs', $6, $7, $8, $9)`,
    [id, tenant.id, source.id, jobId, worker.workerId, locator, bytes.length, createHash("sha256").update(bytes).digest("hex"), encryptor.header])
  return id
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-restore-e2e-"))
  const [hub, server] = await Promise.all([
    e2e.inScope(startHub({ env: { HUB_JOB_LEASE_SECONDS: "10", HUB_RETRY_BASE_SECONDS: "0.2", HUB_SWEEP_INTERVAL_SECONDS: "0.5" } })),
    e2e.inScope(startSshd())
  ])
  e2e.setHub(hub)
  sshd = server
  data = path.join(sshd.root, "data")
  buildSourceTree(data)
  worker = await e2e.inScope(startWorker(hub))
  tenant = await e2e.json(["tenant", "create", "--name", unique("acme")])
  const keyFile = path.join(work, "source.key")
  fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })
  source = await e2e.json([
    "source", "create", "--tenant-id", tenant.id, "--name", unique("src"), "--host", sshd.host,
    "--port", String(sshd.port), "--username", sshd.username, "--private-key-file", keyFile, "--path", data
  ])
  snapshotId = await backup()
})

afterAll(async () => {
  await e2e.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe("restore and verify on the owning worker (real Hub, worker, PostgreSQL, Redis, sshd)", () => {
  it("restore to an archive: restore.tar on the worker extracts to a tree equal to the source", async () => {
    const run = await e2e.xvault(["restore", "create", "--snapshot-id", snapshotId, "--wait", "--json"])
    expect(run.code, run.stderr).toBe(0)
    const job = JSON.parse(run.stdout)
    expect(job).toMatchObject({ type: "restore", status: "succeeded", workerId: "w1", restore: { to: "archive", includes: [], overwrite: false } })
    expect(job.result).toMatchObject({
      to: "archive",
      snapshotId,
      locator: `tenants/${tenant.id}/sources/${source.id}/restores/${job.id}/restore.tar`,
      warnings: []
    })
    const tarFile = path.join(worker.storage, job.result.locator)
    expect(fs.statSync(tarFile).size).toBe(job.result.sizeBytes)
    expect(createHash("sha256").update(fs.readFileSync(tarFile)).digest("hex")).toBe(job.result.sha256)
    expect(filesUnder(path.dirname(tarFile))).toEqual(["restore.tar"])
    const out = path.join(work, "from-archive")
    fs.mkdirSync(out)
    execFileSync("tar", ["-x", "-p", "-f", tarFile, "-C", out])
    expect(describeTree(path.join(out, data))).toEqual(describeTree(data))

    const shown = await e2e.json<{ id: string }>(["restore", "show", job.id])
    expect(shown.id).toBe(job.id)
    const listed = await e2e.json<{ restores: Array<{ id: string }> }>(["restore", "list", "--source-id", source.id])
    expect(listed.restores.map((r) => r.id)).toContain(job.id)
  })

  it("restore over SFTP into a fresh target path recreates the tree there; an existing target is not overwritten", async () => {
    const target = path.join(sshd.root, "restored-here")
    const run = await e2e.xvault([
      "restore", "create", "--snapshot-id", snapshotId, "--to", "sftp", "--target-path", target, "--wait", "--json"
    ])
    expect(run.code, run.stderr).toBe(0)
    const job = JSON.parse(run.stdout)
    expect(job.result).toMatchObject({ to: "sftp", targetSourceId: source.id, targetPath: target, skipped: 0, warnings: [] })
    expect(describeTree(path.join(target, data))).toEqual(describeTree(data))

    // the same target again, without --overwrite: nothing of what is there changes
    const before = describeTree(target)
    const again = await e2e.xvault([
      "restore", "create", "--snapshot-id", snapshotId, "--to", "sftp", "--target-path", target, "--wait", "--json"
    ])
    expect(again.code, again.stderr).toBe(0)
    const skipped = JSON.parse(again.stdout).result
    expect(skipped.files).toBe(0)
    expect(skipped.skipped).toBeGreaterThan(0)
    expect(skipped.warnings).toHaveLength(skipped.skipped)
    expect(describeTree(target)).toEqual(before)
  })

  it("one flipped byte: verify marks the snapshot corrupt (exit 1, saying what), restore fails and leaves nothing", async () => {
    const intact = await e2e.xvault(["snapshot", "verify", "--snapshot-id", snapshotId, "--wait"])
    expect(intact.code, intact.stderr).toBe(0)

    const damaged = await backup()
    const file = artifactOf(damaged)
    const bytes = fs.readFileSync(file)
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01
    fs.writeFileSync(file, bytes)

    const restoresBefore = filesUnder(restoresDir())
    const restore = await e2e.xvault(["restore", "create", "--snapshot-id", damaged, "--wait"])
    expect(restore.code).toBe(1)
    expect(restore.stderr).toMatch(/sha-?256|damaged|authenticat/i)
    expect(filesUnder(restoresDir())).toEqual(restoresBefore)
    const [failed] = await e2e.query<{ status: string; attempt: number }>(
      "SELECT status, attempt FROM jobs WHERE type = 'restore' AND snapshot_id = $1", [damaged])
    expect(failed).toEqual({ status: "failed", attempt: 1 })

    const verify = await e2e.xvault(["snapshot", "verify", "--snapshot-id", damaged, "--wait"])
    expect(verify.code).toBe(1)
    expect(verify.stdout + verify.stderr).toMatch(/corrupt/i)
    const listed = await e2e.json<{ snapshots: Array<{ id: string; status: string; verifyError: string | null }> }>(
      ["snapshot", "list", "--source-id", source.id])
    const row = listed.snapshots.find((s) => s.id === damaged)!
    expect(row.status).toBe("corrupt")
    expect(row.verifyError).toMatch(/sha-?256|size/i)
    expect(listed.snapshots.find((s) => s.id === snapshotId)!.status).toBe("available")
    // a corrupt snapshot is not restored at all
    expect((await requestRestore(damaged, {})).status).toBe(409)
  })

  it("a crafted artifact with '..', absolute names and a symlink-then-file trick writes nothing outside the target", async () => {
    const outside = path.join(work, "outside")
    fs.mkdirSync(outside)
    const crafted = await craftedSnapshot(await Effect.runPromise(tarOf(escapingItems(outside))))
    const target = path.join(sshd.root, "crafted-target")
    const run = await e2e.xvault([
      "restore", "create", "--snapshot-id", crafted, "--to", "sftp", "--target-path", target, "--wait", "--json"
    ])
    expect(run.code, run.stderr).toBe(0)
    const job = JSON.parse(run.stdout)
    expect(job.result.warnings.map((w: { path: string }) => w.path)).toEqual(
      expect.arrayContaining(["../escape", `${outside}/abs`, "link/x", "up/sub/y"]))
    expect(filesUnder(outside)).toEqual([])
    expect(fs.existsSync(path.join(sshd.root, "escape"))).toBe(false)
    expect(fs.readFileSync(path.join(target, "safe", "ok.txt"), "utf8")).toBe("fine\n")

    const archive = await e2e.xvault(["restore", "create", "--snapshot-id", crafted, "--wait", "--json"])
    expect(archive.code, archive.stderr).toBe(0)
    const listing = execFileSync("tar", ["-t", "-f", path.join(worker.storage, JSON.parse(archive.stdout).result.locator)], { encoding: "utf8" })
    expect(listing.split("\n").filter((l) => l.includes("..") || l.startsWith("/"))).toEqual([])
    expect(filesUnder(outside)).toEqual([])
  })

  it("tenant B cannot restore or verify tenant A's snapshot: 404, as if it did not exist", async () => {
    const other = await e2e.json<{ id: string }>(["tenant", "create", "--name", unique("other")])
    const token = mintTenantToken(other.id)
    expect((await requestRestore(snapshotId, {}, token)).status).toBe(404)
    const verify = await fetch(`${e2e.hub().baseUrl}/v1/snapshots/${snapshotId}/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` }
    })
    expect(verify.status).toBe(404)
    expect((await requestRestore(snapshotId, {}, mintTenantToken(tenant.id))).status).toBe(202)
  })

  it("a restore for a worker that is down waits; the claim holds only the file key; it runs when the worker is back", async () => {
    await worker.stop()
    const { status, body: job } = await requestRestore(snapshotId, {})
    expect(status).toBe(202)
    await sleep(2000)
    expect((await e2e.api<{ status: string }>("GET", `/v1/jobs/${job.id}`)).status).toBe("queued")

    // what a worker is handed: this snapshot's file key, never the tenant's secret key
    const token = workerEnv(e2e.hub(), "w1", worker.storage).WORKER_TOKEN
    const claimed = await fetch(`${e2e.hub().baseUrl}/v1/worker/jobs/${job.id}/claim`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` }
    })
    const claimText = await claimed.text()
    const claim = JSON.parse(claimText)
    expect(claim).toMatchObject({ type: "restore", snapshot: { id: snapshotId }, target: { _tag: "archive" } })
    expect(Buffer.from(claim.fileKey, "base64")).toHaveLength(16)
    expect(claimText).not.toMatch(/AGE-SECRET-KEY/i)
    const key = await e2e.xvault(["tenant", "key", "export", "--tenant-id", tenant.id])
    const secret = key.stdout.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY"))!
    expect(claimText).not.toContain(secret)
    expect(claimText.toLowerCase()).not.toContain(secret.toLowerCase().slice(16, 40))
    // hand it back as a transient failure, as a worker stopped mid-attempt would
    await fetch(`${e2e.hub().baseUrl}/v1/worker/jobs/${job.id}/fail`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ leaseId: claim.lease.id, error: "worker stopped", retryable: true })
    })

    worker = await e2e.inScope(startWorkerWith(worker.env))
    const done = await waitForJob(job.id)
    expect(done).toMatchObject({ status: "succeeded", workerId: "w1", attempt: 2 })
  })
})
