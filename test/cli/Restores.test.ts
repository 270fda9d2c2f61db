import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { TenantId } from "../../src/shared/contract/Ids.js"
import { runCli } from "../support/HubProcess.js"
import { tokenFor } from "../support/HubTest.js"
import { lines, missingId, playedWorkerHarness } from "../support/PlayedWorker.js"

// `xvault restore …`, `snapshot verify` and `snapshot show` against a real Hub process. The test
// plays the worker that holds the snapshots, so a restore or verification ends the way it chooses.

const h = playedWorkerHarness("restores")

beforeAll(() => h.start())
afterAll(() => h.stop())

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The job a command running in the background has just queued for the snapshot. */
const queuedJobOf = async (snapshotId: string, type: "restore" | "verify") => {
  const client = new pg.Client({ connectionString: h.hub().databaseUrl })
  await client.connect()
  try {
    for (let deadline = Date.now() + 15_000; Date.now() < deadline; await delay(50)) {
      const { rows } = await client.query<{ id: string }>(
        "SELECT id FROM jobs WHERE snapshot_id = $1 AND type = $2 AND status = 'queued'", [snapshotId, type])
      if (rows[0] !== undefined) return rows[0].id
    }
    throw new Error(`no ${type} job was queued for snapshot ${snapshotId}`)
  } finally {
    await client.end()
  }
}

const archiveResult = (snapshotId: string) => ({
  to: "archive",
  snapshotId,
  locator: `restores/${snapshotId}/restore.tar`,
  sizeBytes: 10_240,
  sha256: "cd".repeat(32),
  entries: 5,
  warnings: [{ path: "../escape", message: "refused: the name leaves the target" }]
})

describe("xvault restore create, list and show", () => {
  it("queues restores with the options asked; list pages them newest first and show says what was asked", async () => {
    const f = await h.tenantWithSource()
    const snapshotId = await h.snapshotViaApi(f)
    const archive = await h.xvault(["restore", "create", "--snapshot-id", snapshotId, "--include", "data/www"])
    expect(archive.code, archive.stderr).toBe(0)
    const [, archiveId] = /^queued restore job (\S+) of snapshot \S+ to restore\.tar on the snapshot's worker\n$/.exec(archive.stdout)!
    const sftp = await h.json([
      "restore", "create", "--snapshot-id", snapshotId, "--to", "sftp", "--target-path", "/srv/restored", "--overwrite"
    ])
    expect(sftp).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: "restore",
      status: "queued",
      tenantId: f.tenantId,
      sourceId: f.sourceId,
      snapshotId,
      attempt: 0,
      maxAttempts: 3,
      workerId: null,
      tags: [],
      progress: null,
      result: null,
      restore: { to: "sftp", includes: [], targetSourceId: f.sourceId, targetPath: "/srv/restored", overwrite: true },
      error: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      startedAt: null,
      finishedAt: null
    })

    const [listed, firstPage, shown, human] = await Promise.all([
      h.json(["restore", "list", "--source-id", f.sourceId]),
      h.xvault(["restore", "list", "--source-id", f.sourceId, "--limit", "1"]),
      h.json(["restore", "show", archiveId!]),
      h.xvault(["restore", "show", sftp.id])
    ])
    expect(listed.restores.map((r: { id: string }) => r.id)).toEqual([sftp.id, archiveId])
    expect(listed.restores[0]).toEqual(sftp)
    expect(listed.nextBefore).toBeNull()
    expect(lines(firstPage.stdout)).toEqual([
      expect.stringMatching(/^ID\s+CREATED\s+SNAPSHOT\s+TO\s+STATUS\s+INCLUDES$/),
      expect.stringMatching(new RegExp(`^${sftp.id}\\s+\\S+\\s+${snapshotId}\\s+sftp\\s+queued$`)),
      `more: xvault restore list --source-id ${f.sourceId} --limit 1 --before ${sftp.id}`
    ])
    expect(shown.restore).toEqual({ to: "archive", includes: ["data/www"], targetSourceId: null, targetPath: null, overwrite: false })
    expect(lines(human.stdout).slice(0, 6)).toEqual([
      `restore ${sftp.id}`,
      "  status     queued, attempt 0/3",
      `  snapshot   ${snapshotId} (source ${f.sourceId})`,
      `  to         source ${f.sourceId} at /srv/restored (overwriting)`,
      "  includes   everything",
      "  progress   -"
    ])
  })

  it("--wait follows the restore and prints its result and warnings (0), or its error (1)", async () => {
    const f = await h.tenantWithSource()
    const snapshotId = await h.snapshotViaApi(f)
    const waiting = h.xvault(["restore", "create", "--snapshot-id", snapshotId, "--wait"])
    const jobId = await queuedJobOf(snapshotId, "restore")
    await h.report(jobId, "complete", { type: "restore", leaseId: await h.claim(jobId), result: archiveResult(snapshotId) })
    const done = await waiting
    expect(done.code, done.stderr).toBe(0)
    expect(lines(done.stdout)).toEqual([
      `queued restore job ${jobId} of snapshot ${snapshotId} to restore.tar on the snapshot's worker`,
      `restore succeeded: restore.tar (5 entries, 10.0 KiB, sha256 ${"cd".repeat(32)}) at restores/${snapshotId}/restore.tar on the snapshot's worker`,
      "warning: ../escape: refused: the name leaves the target"
    ])
    const shown = await h.xvault(["restore", "show", jobId])
    expect(shown.stdout).toContain("  status     succeeded, attempt 1/3 on worker w1\n")
    expect(shown.stdout).toContain("  warning    ../escape: refused: the name leaves the target\n")

    const failing = h.xvault(["restore", "create", "--snapshot-id", snapshotId, "--wait"])
    const failedId = await queuedJobOf(snapshotId, "restore")
    await h.report(failedId, "fail", { leaseId: await h.claim(failedId), error: "worker storage is full", retryable: false })
    const failed = await failing
    expect(failed.code).toBe(1)
    expect(lines(failed.stderr).at(-1)).toBe(`xvault: restore job ${failedId} failed: worker storage is full`)
  })

  it("refuses bad flags (2), unknown or foreign snapshots and sources (3)", async () => {
    const f = await h.tenantWithSource()
    const snapshotId = await h.snapshotViaApi(f)
    const other = await h.tenantWithSource()
    const asOther = tokenFor({ role: "tenant", tenantId: other.tenantId as TenantId })
    const create = ["restore", "create", "--snapshot-id", snapshotId]
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, number, string, string?]> = [
      [[...create, "--target-path", "/srv"], 2, "xvault: --target-path applies only to --to sftp\n"],
      [[...create, "--to", "archive", "--overwrite"], 2, "xvault: --overwrite applies only to --to sftp\n"],
      [[...create, "--to", "tape"], 2, "Expected --to=tape to be one of: archive, sftp"],
      [[...create, "--to", "sftp", "--include", "ok", "--include", ""], 2, "xvault: --include '': "],
      [[...create, "--to", "sftp", "--target-path", ""], 2, "xvault: --target-path: "],
      [[...create, "--to", "sftp", "--target-source-id", "web"], 2, "xvault: --target-source-id 'web' is not a source id\n"],
      [["restore", "create", "--snapshot-id", "latest"], 2, "xvault: --snapshot-id 'latest' is not a snapshot id\n"],
      [["restore", "create", "--snapshot-id", missingId], 3, `xvault: snapshot ${missingId} not found\n`],
      [[...create, "--to", "sftp", "--target-source-id", missingId], 3, `xvault: source ${missingId} not found\n`],
      [[...create, "--to", "sftp", "--target-source-id", other.sourceId], 3, `xvault: source ${other.sourceId} not found\n`],
      [create, 3, `xvault: snapshot ${snapshotId} not found\n`, asOther],
      [["restore", "show", missingId], 3, `xvault: restore ${missingId} not found\n`],
      [["restore", "list", "--before", "yesterday"], 2, "xvault: --before 'yesterday' is not a restore id\n"]
    ]
    // one at a time: a dozen node processes at once can starve a small CI machine
    for (const [args, code, expected, token] of cases) {
      const result = await h.xvault(args, token)
      expect(result.code, args.join(" ")).toBe(code)
      expect(result.stderr.replace(/\s*›\s*/g, " "), args.join(" ")).toContain(expected)
      expect(result.stdout, args.join(" ")).toBe("")
    }
    // none of them queued anything, and the other tenant sees no restores of this one
    expect(await h.json(["restore", "list", "--source-id", f.sourceId])).toEqual({ restores: [], nextBefore: null })
    const backupJob = await h.api<{ jobId: string }>("GET", `/v1/snapshots/${snapshotId}`)
    const notARestore = await h.xvault(["restore", "show", backupJob.jobId])
    expect(notARestore.code).toBe(3)
    const ownRestore = await h.json(["restore", "create", "--snapshot-id", snapshotId])
    const [foreignShow, foreignList] = await Promise.all([
      h.xvault(["restore", "show", ownRestore.id], asOther),
      h.json(["restore", "list"], asOther)
    ])
    expect(foreignShow.code).toBe(3)
    expect(foreignList).toEqual({ restores: [], nextBefore: null })
  }, 120_000)
})

describe("xvault snapshot verify and show", () => {
  it("--wait exits 0 when the snapshot is intact; show has when it was verified", async () => {
    const f = await h.tenantWithSource()
    const snapshotId = await h.snapshotViaApi(f)
    const waiting = h.xvault(["snapshot", "verify", "--snapshot-id", snapshotId, "--wait"])
    const jobId = await queuedJobOf(snapshotId, "verify")
    await h.report(jobId, "complete", {
      type: "verify",
      leaseId: await h.claim(jobId),
      result: { snapshotId, intact: true, problem: null, entries: 6, bytes: 4096 }
    })
    const done = await waiting
    expect(done.code, done.stderr).toBe(0)
    expect(lines(done.stdout)).toEqual([
      `queued verify job ${jobId} for snapshot ${snapshotId}`,
      `verify succeeded: snapshot ${snapshotId} is intact (6 entries, 4.0 KiB read)`
    ])
    const [shown, human] = await Promise.all([h.json(["snapshot", "show", snapshotId]), h.xvault(["snapshot", "show", snapshotId])])
    expect(shown).toEqual({
      id: snapshotId,
      tenantId: f.tenantId,
      sourceId: f.sourceId,
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      workerId: "w1",
      storageBackend: "local_fs",
      locator: `tenants/${f.tenantId}/sources/${f.sourceId}/snapshots/${snapshotId}/backup.tar.zst.enc`,
      sizeBytes: 2048,
      sha256: "ab".repeat(32),
      fileCount: 3,
      dirCount: 2,
      symlinkCount: 1,
      bytesIn: 4096,
      tags: [],
      status: "available",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      verifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      verifyError: null,
      deletedAt: null
    })
    expect(lines(human.stdout)).toEqual([
      `snapshot ${snapshotId}`,
      "  status    available",
      `  source    ${f.sourceId} (tenant ${f.tenantId})`,
      `  created   ${shown.createdAt} by job ${shown.jobId}`,
      "  contents  3 files, 2 dirs, 1 symlinks, 4.0 KiB read",
      `  size      2.0 KiB (sha256 ${"ab".repeat(32)})`,
      `  stored    ${shown.locator} on worker w1`,
      "  tags      -",
      `  verified  ${shown.verifiedAt}: intact`,
      "  deleted   -"
    ])
  })

  it("--wait exits 1 saying what is wrong when the snapshot is corrupt, which then cannot be restored (4)", async () => {
    const f = await h.tenantWithSource()
    const snapshotId = await h.snapshotViaApi(f)
    const problem = "sha256 of the artifact does not match the Hub's record"
    const waiting = h.xvault(["snapshot", "verify", "--snapshot-id", snapshotId, "--wait"])
    const jobId = await queuedJobOf(snapshotId, "verify")
    await h.report(jobId, "complete", {
      type: "verify",
      leaseId: await h.claim(jobId),
      result: { snapshotId, intact: false, problem, entries: 0, bytes: 1024 }
    })
    const corrupt = await waiting
    expect(corrupt.code).toBe(1)
    expect(lines(corrupt.stdout)).toEqual([`queued verify job ${jobId} for snapshot ${snapshotId}`])
    expect(lines(corrupt.stderr).at(-1)).toBe(`xvault: snapshot ${snapshotId} is corrupt: ${problem}`)

    const [shown, restore] = await Promise.all([
      h.json(["snapshot", "show", snapshotId]),
      h.xvault(["restore", "create", "--snapshot-id", snapshotId])
    ])
    expect(shown).toMatchObject({ status: "corrupt", verifyError: problem, verifiedAt: expect.stringMatching(/^\d{4}-/) })
    expect(restore.code).toBe(4)
    expect(restore.stderr).toBe(`xvault: snapshot ${snapshotId} is corrupt (${problem}); only available snapshots can be restored\n`)
  })

  it("a verify job that fails is exit 1 with its error; without --wait the job is only queued", async () => {
    const f = await h.tenantWithSource()
    const snapshotId = await h.snapshotViaApi(f)
    const queued = await h.json(["snapshot", "verify", "--snapshot-id", snapshotId])
    expect(queued).toMatchObject({ type: "verify", status: "queued", snapshotId, sourceId: f.sourceId, result: null })
    await h.report(queued.id, "complete", {
      type: "verify",
      leaseId: await h.claim(queued.id),
      result: { snapshotId, intact: true, problem: null, entries: 6, bytes: 4096 }
    })

    const waiting = h.xvault(["snapshot", "verify", "--snapshot-id", snapshotId, "--wait"])
    const jobId = await queuedJobOf(snapshotId, "verify")
    await h.report(jobId, "fail", { leaseId: await h.claim(jobId), error: "cannot read the artifact: EIO", retryable: false })
    const failed = await waiting
    expect(failed.code).toBe(1)
    expect(lines(failed.stderr).at(-1)).toBe(`xvault: verify job ${jobId} failed: cannot read the artifact: EIO`)
  })

  it("unknown (3), malformed (2) and foreign (3) snapshots", async () => {
    const f = await h.tenantWithSource()
    const snapshotId = await h.snapshotViaApi(f)
    const other = await h.tenantWithSource()
    const asOther = tokenFor({ role: "tenant", tenantId: other.tenantId as TenantId })
    const [unknown, malformed, foreignVerify, foreignShow, unknownShow] = await Promise.all([
      h.xvault(["snapshot", "verify", "--snapshot-id", missingId, "--wait"]),
      h.xvault(["snapshot", "verify", "--snapshot-id", "latest"]),
      h.xvault(["snapshot", "verify", "--snapshot-id", snapshotId], asOther),
      h.xvault(["snapshot", "show", snapshotId], asOther),
      h.xvault(["snapshot", "show", missingId, "--json"])
    ])
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toBe(`xvault: snapshot ${missingId} not found\n`)
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toBe("xvault: --snapshot-id 'latest' is not a snapshot id\n")
    for (const r of [foreignVerify, foreignShow]) {
      expect(r.code).toBe(3)
      expect(r.stderr).toBe(`xvault: snapshot ${snapshotId} not found\n`)
    }
    expect(JSON.parse(unknownShow.stderr)).toEqual({ error: { code: "not_found", message: `snapshot ${missingId} not found`, exitCode: 3 } })
    for (const r of [unknown, malformed, foreignVerify, foreignShow, unknownShow]) expect(r.stdout).toBe("")
  })
})

describe("help", () => {
  const commands = [
    "schedule create", "schedule list", "schedule show", "schedule update", "schedule delete",
    "retention preview", "retention apply",
    "restore create", "restore list", "restore show",
    "snapshot verify", "snapshot show", "snapshot list"
  ]

  it("every new command's --help has EXAMPLES and EXIT STATUS, and the topics list them", async () => {
    for (const command of commands) {
      const help = await runCli([...command.split(" "), "--help"])
      expect(help.code, command).toBe(0)
      expect(help.stdout, command).toContain("EXAMPLES")
      expect(help.stdout, command).toContain("EXIT STATUS")
    }
    const root = await runCli(["--help"])
    expect(root.stdout).toMatch(/^\s+schedule\s+Manage backup schedules and their retention policies\.$/m)
    expect(root.stdout).toMatch(/^\s+retention\s+Preview and apply retention policies\.$/m)
    expect(root.stdout).toMatch(/^\s+restore\s+Restore snapshots\.$/m)
    const topics = await Promise.all(["schedule", "retention", "restore", "snapshot"].map((t) => runCli([t, "--help"])))
    const all = topics.map((t) => t.stdout).join("\n")
    for (const command of commands) expect(all).toMatch(new RegExp(`^\\s+${command}\\s`, "m"))
  }, 120_000)
})
