import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { TenantId } from "../../src/shared/contract/Ids.js"
import { runCli, spawnXvault } from "../support/HubProcess.js"
import { tokenFor } from "../support/HubTest.js"
import { lines, playedWorkerHarness } from "../support/PlayedWorker.js"

// Backups, jobs, snapshots and key export as an operator runs them: real `xvault` processes
// against one real Hub process. No worker runs here: the test plays the worker through the
// worker endpoints, so every state a job goes through is reached on purpose.

// no backoff, so a retried job can be claimed again at once
const h = playedWorkerHarness("jobs", { hubEnv: { HUB_RETRY_BASE_SECONDS: "0" } })
const { adminToken, xvault, api, claim, report } = h
let tempDir: string
const MiB = 1024 * 1024

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

interface Fixture {
  readonly tenant: { readonly id: string; readonly publicKey: string }
  readonly sourceId: string
}

const tenantWithSource = async (): Promise<Fixture> => {
  const { tenantId, publicKey, sourceId } = await h.tenantWithSource()
  return { tenant: { id: tenantId, publicKey }, sourceId }
}

const completion = (f: Fixture, snapshotId: string, leaseId: string) => ({
  type: "backup",
  leaseId,
  locator: `tenants/${f.tenant.id}/sources/${f.sourceId}/snapshots/${snapshotId}/backup.tar.zst.enc`,
  sizeBytes: 12 * MiB,
  sha256: "ab".repeat(32),
  fileCount: 120,
  dirCount: 3,
  symlinkCount: 0,
  bytesIn: 45 * MiB,
  ageHeader: "x",
  manifest: {},
  warnings: [{ path: "/x", message: "permission denied" }]
})

/** A whole backup done through the API: what a worker would leave behind. */
const snapshotViaApi = async (f: Fixture) => {
  const job = await api<{ id: string; snapshotId: string }>("POST", `/v1/sources/${f.sourceId}/backups`, { tags: [] })
  await report(job.id, "complete", completion(f, job.snapshotId, await claim(job.id)))
  return job.snapshotId
}

const enqueued = async (sourceId: string) =>
  (JSON.parse((await xvault(["backup", "enqueue", "--source-id", sourceId, "--json"])).stdout) as { id: string }).id

/** How many times a `job wait` has asked the Hub about the job: its request log says. */
const polls = (jobId: string) => h.hub().log().split(`/v1/jobs/${jobId}`).length - 1

const until = async (what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await delay(50)
  }
}

/** Returns once the follower has fetched the job `n` more times: it has seen what happened before. */
const seenBy = async (jobId: string, n = 2) => {
  const before = polls(jobId)
  await until(`the job was polled ${n} more times`, () => polls(jobId) >= before + n)
}

const activeJobOf = async (sourceId: string) => {
  const client = new pg.Client({ connectionString: h.hub().databaseUrl })
  await client.connect()
  try {
    let id: string | undefined
    await until("the backup is queued", async () => {
      id = (await client.query<{ id: string }>("SELECT id FROM jobs WHERE source_id = $1", [sourceId])).rows[0]?.id
      return id !== undefined
    })
    return id!
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-jobs-"))
  await h.start()
})

afterAll(async () => {
  await h.stop()
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true })
})

describe("xvault tenant key export", () => {
  it("prints only the secret key, which age reads and which matches the tenant's public key; the export is audited", async () => {
    const { tenant } = await tenantWithSource()
    const exported = await xvault(["tenant", "key", "export", "--tenant-id", tenant.id])
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+\n$/)
    expect(exported.stderr).toBe(`this key decrypts every backup of tenant ${tenant.id}; store it offline\n`)

    const keyFile = path.join(tempDir, "tenant.key")
    fs.writeFileSync(keyFile, exported.stdout, { mode: 0o600 })
    expect(execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim()).toBe(tenant.publicKey)
    const sealed = execFileSync("age", ["-r", tenant.publicKey], { input: "restore me" })
    expect(execFileSync("age", ["-d", "-i", keyFile], { input: sealed, encoding: "utf8" })).toBe("restore me")

    const [json, audit] = await Promise.all([
      xvault(["tenant", "key", "export", "--tenant-id", tenant.id, "--json"]),
      xvault(["audit", "list", "--tenant-id", tenant.id, "--json"])
    ])
    expect(JSON.parse(json.stdout)).toEqual({ tenantId: tenant.id, secretKey: exported.stdout.trim() })
    const entries = (JSON.parse(audit.stdout) as { entries: Array<{ action: string; resourceId: string }> }).entries
    expect(entries).toContainEqual(expect.objectContaining({ action: "tenant.key_export", resourceId: tenant.id }))
  })

  it("a tenant token may not export (5), and a bad --tenant-id is bad input (2)", async () => {
    const { tenant } = await tenantWithSource()
    const [asTenant, badId] = await Promise.all([
      xvault(["tenant", "key", "export", "--tenant-id", tenant.id], tokenFor({ role: "tenant", tenantId: tenant.id as TenantId })),
      xvault(["tenant", "key", "export", "--tenant-id", "nope"])
    ])
    expect(asTenant.code).toBe(5)
    expect(asTenant.stdout).toBe("")
    expect(lines(asTenant.stderr)).toEqual([expect.stringMatching(/^xvault: .*admin only/)])
    expect(badId.code).toBe(2)
    expect(badId.stderr).toBe("xvault: --tenant-id 'nope' is not a tenant id\n")
  })
})

describe("xvault backup enqueue and job show", () => {
  it("queues a backup; job show has it queued, attempt 0, with its tags", async () => {
    const f = await tenantWithSource()
    const queued = await xvault(["backup", "enqueue", "--source-id", f.sourceId, "--tag", "nightly", "--tag", "v1.2"])
    expect(queued.code, queued.stderr).toBe(0)
    const match = /^queued backup job (\S+) \(snapshot (\S+)\) for source (\S+)\n$/.exec(queued.stdout)
    expect(match?.[3]).toBe(f.sourceId)
    const [, jobId, snapshotId] = match!

    const [json, human] = await Promise.all([xvault(["job", "show", jobId!, "--json"]), xvault(["job", "show", jobId!])])
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({
      id: jobId,
      type: "backup",
      status: "queued",
      tenantId: f.tenant.id,
      sourceId: f.sourceId,
      snapshotId,
      attempt: 0,
      maxAttempts: 3,
      workerId: null,
      tags: ["nightly", "v1.2"],
      progress: null,
      result: null,
      restore: null,
      error: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      startedAt: null,
      finishedAt: null
    })
    expect(human.stdout).toContain(`backup job ${jobId}`)
    expect(human.stdout).toMatch(/status\s+queued, attempt 0\/3\n/)
    expect(human.stdout).toMatch(/tags\s+nightly, v1\.2\n/)
  })

  it("refuses a second backup of the same source (4, naming the active job), unknown ids (3) and bad input (2)", async () => {
    const f = await tenantWithSource()
    const first = await xvault(["backup", "enqueue", "--source-id", f.sourceId, "--json"])
    expect(first.code, first.stderr).toBe(0)
    const active = JSON.parse(first.stdout) as { id: string; status: string }
    expect(active.status).toBe("queued")
    const missing = "00000000-0000-4000-8000-000000000000"
    const [again, unknownSource, badSource, badTag, unknownJob, badJob] = await Promise.all([
      xvault(["backup", "enqueue", "--source-id", f.sourceId]),
      xvault(["backup", "enqueue", "--source-id", missing]),
      xvault(["backup", "enqueue", "--source-id", "web1"]),
      xvault(["backup", "enqueue", "--source-id", f.sourceId, "--tag", "no spaces"]),
      xvault(["job", "show", missing]),
      xvault(["job", "wait", "42"])
    ])
    expect(again.code).toBe(4)
    expect(lines(again.stderr)).toEqual([expect.stringContaining(`already queued (job ${active.id})`)])
    expect(unknownSource.code).toBe(3)
    expect(unknownSource.stderr).toContain(`source ${missing} not found`)
    expect(badSource.code).toBe(2)
    expect(badSource.stderr).toBe("xvault: --source-id 'web1' is not a source id\n")
    expect(badTag.code).toBe(2)
    expect(badTag.stderr).toContain("tags")
    expect(unknownJob.code).toBe(3)
    expect(badJob.code).toBe(2)
    expect(badJob.stderr).toBe("xvault: '42' is not a job id\n")
    for (const r of [again, unknownSource, badSource, badTag, unknownJob, badJob]) expect(r.stdout).toBe("")
  })
})

describe("following a job", () => {
  it("job wait reports a retry, then exits 1 with the job's error when the last attempt fails", async () => {
    const f = await tenantWithSource()
    const jobId = await enqueued(f.sourceId)
    const waiting = xvault(["job", "wait", jobId])
    await seenBy(jobId, 1)
    await report(jobId, "fail", { leaseId: await claim(jobId), error: "read timeout", retryable: true })
    await seenBy(jobId)
    await report(jobId, "fail", {
      leaseId: await claim(jobId),
      error: "cannot reach host: connection refused",
      retryable: false
    })
    const result = await waiting
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    const stderr = lines(result.stderr)
    expect(stderr[0]).toBe("queued: waiting for a worker")
    expect(stderr).toContain("attempt 1 failed: read timeout; retrying")
    expect(stderr[stderr.length - 1]).toBe(`xvault: backup job ${jobId} failed: cannot reach host: connection refused`)

    // a job that already ended is reported at once, the same way; --json makes the error an object
    const again = await xvault(["job", "wait", jobId, "--json"])
    expect(again.code).toBe(1)
    expect(JSON.parse(again.stderr)).toEqual({
      error: { code: "job_failed", message: `backup job ${jobId} failed: cannot reach host: connection refused`, exitCode: 1 }
    })
  })

  it("backup enqueue --wait shows progress, then the snapshot and its warnings; snapshot list has it", async () => {
    const f = await tenantWithSource()
    const waiting = xvault(["backup", "enqueue", "--source-id", f.sourceId, "--tag", "nightly", "--wait"])
    const jobId = await activeJobOf(f.sourceId)
    await seenBy(jobId, 1)
    const leaseId = await claim(jobId)
    await report(jobId, "progress", {
      leaseId,
      progress: { files: 120, dirs: 3, symlinks: 0, bytesRead: 45 * MiB, bytesWritten: Math.round(12.1 * MiB) }
    })
    await seenBy(jobId, 4) // progress lines are at most one a second
    const { snapshotId } = await api<{ snapshotId: string }>("GET", `/v1/jobs/${jobId}`)
    await report(jobId, "complete", completion(f, snapshotId, leaseId))

    const result = await waiting
    expect(result.code, result.stderr).toBe(0)
    expect(lines(result.stdout)).toEqual([
      `queued backup job ${jobId} (snapshot ${snapshotId}) for source ${f.sourceId}`,
      `backup succeeded: snapshot ${snapshotId}, 120 files, 12.0 MiB`,
      "warning: /x: permission denied"
    ])
    expect(lines(result.stderr)).toContain("running attempt 1/3: 120 files, 45.0 MiB read, 12.1 MiB written")

    const [waited, listed, table] = await Promise.all([
      xvault(["job", "wait", jobId, "--json"]),
      xvault(["snapshot", "list", "--source-id", f.sourceId, "--json"]),
      xvault(["snapshot", "list", "--source-id", f.sourceId])
    ])
    expect(waited.code, waited.stderr).toBe(0)
    expect(JSON.parse(waited.stdout)).toMatchObject({
      status: "succeeded",
      attempt: 1,
      workerId: "w1",
      result: { snapshotId, fileCount: 120, warnings: [{ path: "/x", message: "permission denied" }] }
    })
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual({
      snapshots: [{
        id: snapshotId,
        tenantId: f.tenant.id,
        sourceId: f.sourceId,
        jobId,
        workerId: "w1",
        storageBackend: "local_fs",
        locator: `tenants/${f.tenant.id}/sources/${f.sourceId}/snapshots/${snapshotId}/backup.tar.zst.enc`,
        sizeBytes: 12 * MiB,
        sha256: "ab".repeat(32),
        fileCount: 120,
        dirCount: 3,
        symlinkCount: 0,
        bytesIn: 45 * MiB,
        tags: ["nightly"],
        status: "available",
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        verifiedAt: null,
        verifyError: null,
        deletedAt: null
      }],
      nextBefore: null
    })
    expect(lines(table.stdout)[0]).toMatch(/^ID\s+CREATED\s+SIZE\s+FILES\s+WORKER\s+STATUS\s+VERIFIED\s+TAGS$/)
    expect(lines(table.stdout)[1]).toMatch(new RegExp(`^${snapshotId}\\s+\\S+\\s+12\\.0 MiB\\s+120\\s+w1\\s+available\\s+-\\s+nightly$`))
  })

  it("Ctrl-C stops the waiting (130), not the job", async () => {
    const f = await tenantWithSource()
    const jobId = await enqueued(f.sourceId)
    const waiting = spawnXvault(["job", "wait", jobId], { HUB_BASE_URL: h.hub().baseUrl, XVAULT_TOKEN: adminToken })
    await seenBy(jobId, 1)
    await waiting.kill("SIGINT")
    expect(waiting.exitCode(), waiting.log()).toBe(130)
    expect(waiting.log()).toContain(`stopped waiting; job ${jobId} goes on (xvault job wait ${jobId})`)
    expect((await api<{ status: string }>("GET", `/v1/jobs/${jobId}`)).status).toBe("queued")
  })
})

describe("xvault snapshot list", () => {
  it("an empty source lists no snapshots", async () => {
    const f = await tenantWithSource()
    const [human, json] = await Promise.all([
      xvault(["snapshot", "list", "--source-id", f.sourceId]),
      xvault(["snapshot", "list", "--source-id", f.sourceId, "--json"])
    ])
    expect(human.code, human.stderr).toBe(0)
    expect(lines(human.stdout)).toEqual([expect.stringMatching(/^ID\s+CREATED\s+SIZE/)])
    expect(JSON.parse(json.stdout)).toEqual({ snapshots: [], nextBefore: null })
  })

  it("pages newest first, ending each page with the command for the next", async () => {
    const f = await tenantWithSource()
    const older = await snapshotViaApi(f)
    const newer = await snapshotViaApi(f)
    const first = await xvault(["snapshot", "list", "--source-id", f.sourceId, "--limit", "1"])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain(newer)
    const more = `xvault snapshot list --source-id ${f.sourceId} --limit 1 --before ${newer}`
    expect(lines(first.stdout).at(-1)).toBe(`more: ${more}`)
    const second = await xvault([...more.split(" ").slice(1), "--json"])
    expect(JSON.parse(second.stdout)).toMatchObject({ snapshots: [{ id: older }], nextBefore: null })
    const badBefore = await xvault(["snapshot", "list", "--source-id", f.sourceId, "--before", "yesterday"])
    expect(badBefore.code).toBe(2)
    expect(badBefore.stderr).toBe("xvault: --before 'yesterday' is not a snapshot id\n")
  })
})

describe("help", () => {
  it("every new command's --help has EXAMPLES and EXIT STATUS", async () => {
    const commands = ["backup enqueue", "job show", "job wait", "snapshot list", "tenant key export"]
    const helps = await Promise.all(commands.map((c) => runCli([...c.split(" "), "--help"])))
    helps.forEach((help, i) => {
      expect(help.code, commands[i]).toBe(0)
      expect(help.stdout, commands[i]).toContain("EXAMPLES")
      expect(help.stdout, commands[i]).toContain("EXIT STATUS")
    })
  })
})
