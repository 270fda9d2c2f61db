import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Redis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { redisUrl } from "../support/env.js"
import { e2eHarness, filesUnder, restoreWithStandardTools } from "../support/E2e.js"
import { runCli, startHub } from "../support/HubProcess.js"
import { buildSourceTree, describeTree } from "../support/SourceTree.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { startWorker, workerEnv, type WorkerProcess } from "../support/WorkerProcess.js"

const e2e = e2eHarness()
let keySshd: SshdServer
let passwordSshd: SshdServer
let worker: WorkerProcess
let tenant: { id: string; publicKey: string }
let work: string

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

const createSource = async (
  sshd: SshdServer,
  options: { paths?: Array<string>; hostKey?: string; password?: string; port?: number } = {}
) => {
  const auth = sshd.password !== undefined || options.password !== undefined
    ? ["--password-stdin"]
    : ["--private-key-file", path.join(work, `${sshd.port}.key`)]
  if (sshd.password === undefined) fs.writeFileSync(path.join(work, `${sshd.port}.key`), sshd.privateKey, { mode: 0o600 })
  return e2e.json<{ id: string; hostKey: string | null }>([
    "source", "create", "--tenant-id", tenant.id, "--name", unique("src"), "--host", sshd.host,
    "--port", String(options.port ?? sshd.port), "--username", sshd.username, ...auth,
    ...(options.paths ?? [path.join(sshd.root, "data")]).flatMap((p) => ["--path", p]),
    ...(options.hostKey ? ["--host-key", options.hostKey] : [])
  ], { stdin: options.password ?? sshd.password ?? "" })
}

const snapshotsDir = (sourceId: string) => path.join(worker.storage, "tenants", tenant.id, "sources", sourceId, "snapshots")

/** A backup that must fail: the job says why, and there is no snapshot row and no file. */
const expectFailedBackup = async (sourceId: string, reason: RegExp, attempts: number) => {
  const result = await e2e.xvault(["backup", "enqueue", "--source-id", sourceId, "--wait"])
  expect(result.code, result.stderr).toBe(1)
  expect(result.stderr).toMatch(reason)
  const [job] = await e2e.query<{ status: string; error: string; attempt: number }>(
    "SELECT status, error, attempt FROM jobs WHERE source_id = $1", [sourceId])
  expect(job).toMatchObject({ status: "failed", attempt: attempts })
  expect(job!.error).toMatch(reason)
  expect(await e2e.query("SELECT id FROM snapshots WHERE source_id = $1", [sourceId])).toEqual([])
  expect(filesUnder(snapshotsDir(sourceId))).toEqual([])
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-e2e-"))
  const [hub, keyServer, passwordServer] = await Promise.all([
    e2e.inScope(startHub({
      env: { HUB_JOB_LEASE_SECONDS: "10", HUB_RETRY_BASE_SECONDS: "0.2", HUB_SWEEP_INTERVAL_SECONDS: "0.5" }
    })),
    e2e.inScope(startSshd()),
    e2e.inScope(startSshd({ password: true }))
  ])
  e2e.setHub(hub)
  keySshd = keyServer
  passwordSshd = passwordServer
  worker = await e2e.inScope(startWorker(hub))
  tenant = await e2e.json(["tenant", "create", "--name", unique("acme")])
})

afterAll(async () => {
  await e2e.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe("backup, end to end (real Hub, worker, PostgreSQL, Redis, sshd)", () => {
  it("key auth: the artifact sits at its path and restores with age, zstd and tar alone", async () => {
    const data = path.join(keySshd.root, "data")
    buildSourceTree(data)
    const source = await createSource(keySshd)
    expect(source.hostKey).toBeNull()

    const run = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--tag", "first", "--wait"])
    expect(run.code, run.stderr).toBe(0)

    const listed = await e2e.json<{ snapshots: Array<Record<string, unknown>> }>(["snapshot", "list", "--source-id", source.id])
    expect(listed.snapshots).toHaveLength(1)
    const snapshot = listed.snapshots[0]!
    expect(snapshot).toMatchObject({ tenantId: tenant.id, sourceId: source.id, workerId: "w1", storageBackend: "local_fs", status: "available" })
    const dir = path.join(snapshotsDir(source.id), String(snapshot["id"]))
    expect(snapshot["locator"]).toBe(`tenants/${tenant.id}/sources/${source.id}/snapshots/${snapshot["id"]}/backup.tar.zst.enc`)
    expect(filesUnder(dir)).toEqual(["backup.tar.zst.enc", "manifest.json"])
    const artifact = path.join(dir, "backup.tar.zst.enc")
    expect(snapshot["sizeBytes"]).toBe(fs.statSync(artifact).size)

    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"))
    expect(manifest).toMatchObject({
      formatVersion: 1,
      snapshotId: snapshot["id"],
      source: { host: keySshd.host, paths: [data] },
      artifact: { sha256: snapshot["sha256"], sizeBytes: snapshot["sizeBytes"] },
      compression: { algorithm: "zstd", level: 3 },
      encryption: { format: "age-encryption.org/v1", recipients: [tenant.publicKey] },
      warnings: []
    })
    expect(manifest.counts.files).toBe(snapshot["fileCount"])

    // trust on first use: the first connection recorded the server's key
    const shown = await e2e.json<{ hostKey: string }>(["source", "show", source.id])
    expect(shown.hostKey).toBe(keySshd.hostKeyFingerprint)

    const key = await e2e.xvault(["tenant", "key", "export", "--tenant-id", tenant.id])
    expect(key.code, key.stderr).toBe(0)
    const keyFile = path.join(work, "tenant.key")
    fs.writeFileSync(keyFile, key.stdout, { mode: 0o600 })
    const out = restoreWithStandardTools(artifact, keyFile, path.join(work, "restore-key"))
    expect(describeTree(path.join(out, data))).toEqual(describeTree(data))
  })

  it("password auth: an unreadable file is skipped and reported, the rest is backed up", async () => {
    const data = path.join(passwordSshd.root, "data")
    buildSourceTree(data)
    fs.chownSync(data, fs.statSync(passwordSshd.root).uid, -1)
    for (const f of filesUnder(data)) fs.lchownSync(path.join(data, f), fs.statSync(passwordSshd.root).uid, -1)
    // keep the directory's mtime as it was, so the restored tree can be compared with it afterwards
    const docs = path.join(data, "docs")
    const { atime, mtime } = fs.statSync(docs)
    fs.writeFileSync(path.join(docs, "secret.key"), "root only\n", { mode: 0o000 })
    fs.utimesSync(docs, atime, mtime)

    const source = await createSource(passwordSshd)
    const run = await e2e.xvault(["backup", "enqueue", "--source-id", source.id, "--wait", "--json"])
    expect(run.code, run.stderr).toBe(0)
    const job = JSON.parse(run.stdout)
    expect(job.status).toBe("succeeded")
    expect(job.result.warnings).toEqual([{ path: path.join(data, "docs", "secret.key"), message: expect.stringMatching(/permission denied/i) }])
    const dir = path.join(snapshotsDir(source.id), job.snapshotId)
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"))
    expect(manifest.warnings).toEqual(job.result.warnings)

    const keyFile = path.join(work, "tenant.key")
    const out = restoreWithStandardTools(path.join(dir, "backup.tar.zst.enc"), keyFile, path.join(work, "restore-pw"))
    fs.rmSync(path.join(docs, "secret.key"))
    fs.utimesSync(docs, atime, mtime)
    expect(describeTree(path.join(out, data))).toEqual(describeTree(data))
  })

  it("an unreachable host is retried with backoff, then fails saying so", async () => {
    const source = await createSource(keySshd, { port: 1 })
    await expectFailedBackup(source.id, /cannot reach 127\.0\.0\.1:1/, 3)
  })

  it("bad credentials fail at once, without retries", async () => {
    const source = await createSource(passwordSshd, { password: "wrong-password" })
    await expectFailedBackup(source.id, /authentication failed/, 1)
  })

  it("a changed host key fails the job with 'host key mismatch', before any credential is sent", async () => {
    const other = `SHA256:${Buffer.alloc(32, 3).toString("base64").replace(/=+$/, "")}`
    const source = await createSource(keySshd, { hostKey: other })
    await expectFailedBackup(source.id, /host key mismatch/, 1)
  })

  it("a missing root path fails naming the path", async () => {
    const source = await createSource(keySshd, { paths: ["/no/such/dir"] })
    await expectFailedBackup(source.id, /\/no\/such\/dir does not exist/, 1)
  })

  it("a worker refuses to start with a token for another worker id, or an unusable storage path (exit 78)", async () => {
    const wrongToken = await runCli(["worker", "run"], {
      env: { ...workerEnv(e2e.hub(), "w-other", work), WORKER_TOKEN: worker.env["WORKER_TOKEN"]! }
    })
    expect(wrongToken.code).toBe(78)
    expect(wrongToken.stderr).toContain("WORKER_TOKEN was issued for worker 'w1', but WORKER_ID is 'w-other'")
    const blocked = path.join(work, "a-file")
    fs.writeFileSync(blocked, "")
    const badStorage = await runCli(["worker", "run"], { env: workerEnv(e2e.hub(), "w-x", path.join(blocked, "storage")) })
    expect(badStorage.code).toBe(78)
    expect(badStorage.stderr).toMatch(/cannot create .*a-file\/storage/)
    const badId = await runCli(["worker", "run"], { env: workerEnv(e2e.hub(), "not a valid id!", work) })
    expect(badId.code).toBe(78)
    expect(badId.stderr).toContain("WORKER_ID must be 1-63 characters")
  })

  it("no credential appears on Redis or in any log or command output", async () => {
    const redis = new Redis(redisUrl)
    const keys = await redis.keys(`${e2e.hub().queuePrefix}:*`)
    const values: Array<string> = []
    for (const key of keys) {
      const type = await redis.type(key)
      if (type === "hash") values.push(JSON.stringify(await redis.hgetall(key)))
      else if (type === "string") values.push(String(await redis.get(key)))
      else if (type === "list") values.push(JSON.stringify(await redis.lrange(key, 0, -1)))
      else if (type === "zset") values.push(JSON.stringify(await redis.zrange(key, 0, -1)))
      else if (type === "stream") values.push(JSON.stringify(await redis.xrange(key, "-", "+")))
    }
    redis.disconnect()
    const everything = [
      ...values,
      e2e.hub().log(),
      worker.log(),
      ...e2e.outputs.map((o) => o.stdout + o.stderr)
    ].join("\n")
    const keyBody = keySshd.privateKey.split("\n").slice(1, -2).join("")
    for (const secret of [passwordSshd.password!, "wrong-password", keyBody.slice(0, 40)]) {
      expect(everything).not.toContain(secret)
    }
  })
})
