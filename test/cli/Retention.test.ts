import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { lines, missingId, playedWorkerHarness } from "../support/PlayedWorker.js"

// `xvault retention preview --source-id` and `retention apply` against a real Hub process, whose
// snapshots the test makes by playing the worker; deletions are completed the same way.

const h = playedWorkerHarness("retention")

beforeAll(() => h.start())
afterAll(() => h.stop())

interface KeepRemove {
  readonly keep: ReadonlyArray<{ readonly id: string; readonly reasons: ReadonlyArray<string> }>
  readonly remove: ReadonlyArray<{ readonly id: string }>
}

/** A source with three snapshots, oldest first, the oldest tagged `release`. */
const sourceWithSnapshots = async () => {
  const f = await h.tenantWithSource()
  const oldest = await h.snapshotViaApi(f, ["release"])
  const middle = await h.snapshotViaApi(f)
  const newest = await h.snapshotViaApi(f)
  return { ...f, oldest, middle, newest }
}

describe("xvault retention preview --source-id", () => {
  it("uses the policy and time zone of the source's schedule unless flags say otherwise", async () => {
    const f = await sourceWithSnapshots()
    await h.json(["schedule", "create", "--source-id", f.sourceId, "--cron", "0 3 * * *", "--timezone", "Europe/Berlin",
      "--keep-last", "1", "--keep-tag", "release"])

    const [byDefault, human, overridden, inUtc] = await Promise.all([
      h.json<KeepRemove>(["retention", "preview", "--source-id", f.sourceId]),
      h.xvault(["retention", "preview", "--source-id", f.sourceId]),
      h.json<KeepRemove>(["retention", "preview", "--source-id", f.sourceId, "--keep-last", "2"]),
      h.xvault(["retention", "preview", "--source-id", f.sourceId, "--timezone", "UTC"])
    ])
    expect(byDefault).toEqual({
      keep: [
        { id: f.newest, reasons: ["last snapshot", "newest snapshot (always kept)"] },
        { id: f.oldest, reasons: ["has tags [release]"] }
      ],
      remove: [{ id: f.middle }]
    })
    expect(human.code, human.stderr).toBe(0)
    expect(lines(human.stdout)).toEqual([
      expect.stringMatching(/^SNAPSHOT\s+TIME\s+ACTION\s+REASONS$/),
      expect.stringMatching(new RegExp(`^${f.newest}\\s+\\S+\\+0[12]:00\\s+keep\\s+last snapshot, newest snapshot \\(always kept\\)$`)),
      expect.stringMatching(new RegExp(`^${f.middle}\\s+\\S+\\s+remove$`)),
      expect.stringMatching(new RegExp(`^${f.oldest}\\s+\\S+\\s+keep\\s+has tags \\[release\\]$`)),
      "keep 2, remove 1 (buckets in Europe/Berlin)"
    ])
    // flags replace the whole policy: the release tag no longer keeps the oldest
    expect(overridden).toEqual({
      keep: [
        { id: f.newest, reasons: ["last snapshot", "newest snapshot (always kept)"] },
        { id: f.middle, reasons: ["last snapshot"] }
      ],
      remove: [{ id: f.oldest }]
    })
    expect(lines(inUtc.stdout).at(-1)).toBe("keep 2, remove 1 (buckets in UTC)")
    expect(lines(inUtc.stdout)[1]).toMatch(/\d\dZ\s+keep/)
  })

  it("a source without a schedule keeps everything, in UTC", async () => {
    const f = await sourceWithSnapshots()
    const human = await h.xvault(["retention", "preview", "--source-id", f.sourceId])
    expect(lines(human.stdout).at(-1)).toBe("keep 3, remove 0 (buckets in UTC)")
    const plan = await h.json<KeepRemove>(["retention", "preview", "--source-id", f.sourceId])
    expect(plan.keep.map((k) => k.reasons)).toEqual([
      ["policy is empty (keeps everything)"],
      ["policy is empty (keeps everything)"],
      ["policy is empty (keeps everything)"]
    ])
    expect(plan.remove).toEqual([])
  })
})

describe("xvault retention apply", () => {
  it("queues the deletion of what the schedule's policy removes, on the snapshot's worker", async () => {
    const f = await sourceWithSnapshots()
    await h.json(["schedule", "create", "--source-id", f.sourceId, "--cron", "0 3 * * *", "--keep-last", "1", "--keep-tag", "release"])
    const applied = await h.xvault(["retention", "apply", "--source-id", f.sourceId, "--json"])
    expect(applied.code, applied.stderr).toBe(0)
    const plan = JSON.parse(applied.stdout)
    expect(plan).toEqual({
      policy: { keepLast: 1, keepTags: [["release"]] },
      timezone: "UTC",
      keep: [
        { id: f.newest, createdAt: expect.stringMatching(/Z$/), reasons: ["last snapshot", "newest snapshot (always kept)"] },
        { id: f.oldest, createdAt: expect.stringMatching(/Z$/), reasons: ["has tags [release]"] }
      ],
      remove: [{ id: f.middle, createdAt: expect.stringMatching(/Z$/), deleteJobId: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
      deleteJobs: [expect.stringMatching(/^[0-9a-f-]{36}$/)]
    })
    expect(plan.remove[0].deleteJobId).toBe(plan.deleteJobs[0])
    const [jobId] = plan.deleteJobs as Array<string>
    const [job, deleting] = await Promise.all([h.json(["job", "show", jobId!]), h.json(["snapshot", "show", f.middle])])
    expect(job).toMatchObject({ type: "delete_snapshot", status: "queued", snapshotId: f.middle, sourceId: f.sourceId })
    expect(deleting).toMatchObject({ id: f.middle, status: "deleting", deletedAt: null })

    // the worker deletes it; the snapshot stays listed for audit only with --include-deleted
    const leaseId = await h.claim(jobId!)
    await h.report(jobId!, "complete", { type: "delete_snapshot", leaseId, result: { snapshotId: f.middle, removed: true } })
    const [listed, withDeleted, table, shown, again] = await Promise.all([
      h.json(["snapshot", "list", "--source-id", f.sourceId]),
      h.json(["snapshot", "list", "--source-id", f.sourceId, "--include-deleted"]),
      h.xvault(["snapshot", "list", "--source-id", f.sourceId, "--include-deleted"]),
      h.xvault(["snapshot", "show", f.middle]),
      h.xvault(["retention", "apply", "--source-id", f.sourceId])
    ])
    expect(listed.snapshots.map((s: { id: string }) => s.id)).toEqual([f.newest, f.oldest])
    expect(withDeleted.snapshots.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      [f.newest, "available"],
      [f.middle, "deleted"],
      [f.oldest, "available"]
    ])
    expect(withDeleted.snapshots[1].deletedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(lines(table.stdout)[2]).toMatch(new RegExp(`^${f.middle}\\s.*\\sdeleted\\s+-\\s*$`))
    expect(shown.stdout).toContain("  status    deleted\n")
    expect(shown.stdout).toMatch(/ {2}deleted {3}\d{4}-\d\d-\d\dT\S+\n/)
    // nothing is left to remove: the human output says so and queues nothing
    expect(again.code, again.stderr).toBe(0)
    expect(lines(again.stdout)[0]).toBe("policy: keep-last 1, keep-tag release")
    expect(lines(again.stdout).at(-1)).toBe("keep 2, remove 0 (buckets in UTC)")
    expect(again.stdout).not.toContain("queued delete job")
  })

  it("prints the plan and each queued job for people; an unknown source is not found (3)", async () => {
    const f = await sourceWithSnapshots()
    await h.json(["schedule", "create", "--source-id", f.sourceId, "--cron", "0 3 * * *", "--keep-last", "2"])
    const [applied, unknown, bad] = await Promise.all([
      h.xvault(["retention", "apply", "--source-id", f.sourceId]),
      h.xvault(["retention", "apply", "--source-id", missingId]),
      h.xvault(["retention", "apply", "--source-id", "web"])
    ])
    expect(applied.code, applied.stderr).toBe(0)
    const out = lines(applied.stdout)
    expect(out[0]).toBe("policy: keep-last 2")
    expect(out.slice(2, 5)).toEqual([
      expect.stringMatching(new RegExp(`^${f.newest}\\s+\\S+\\s+keep\\s+last snapshot, newest snapshot \\(always kept\\)$`)),
      expect.stringMatching(new RegExp(`^${f.middle}\\s+\\S+\\s+keep\\s+last snapshot$`)),
      expect.stringMatching(new RegExp(`^${f.oldest}\\s+\\S+\\s+remove$`))
    ])
    expect(out.slice(5)).toEqual(["keep 2, remove 1 (buckets in UTC)", expect.stringMatching(/^queued delete job [0-9a-f-]{36} for snapshot [0-9a-f-]{36}$/)])
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toBe(`xvault: source ${missingId} not found\n`)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe("xvault: --source-id 'web' is not a source id\n")
  })
})
