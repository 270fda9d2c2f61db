import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { randomBytes } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { WorkerId } from "../../src/shared/contract/Ids.js"
import { type HubProcess, runCli, startHub } from "../support/HubProcess.js"
import { tokenFor } from "../support/HubTest.js"

// `xvault retention preview` as an operator runs it: the real executable. --from-file needs no
// Hub; --source-id reads a real Hub's snapshots, which the test makes by playing the worker.

interface Golden {
  readonly snapshots: ReadonlyArray<{ readonly id: string; readonly time: string; readonly tags: ReadonlyArray<string> }>
  readonly cases: ReadonlyArray<{ readonly index: number; readonly keep: ReadonlyArray<string> }>
}
const golden = JSON.parse(
  fs.readFileSync(new URL("../fixtures/retention/restic-policy-cases.json", import.meta.url), "utf8")
) as Golden
const keptByRestic = (index: number) => golden.cases.find((c) => c.index === index)!.keep

let tempDir: string
let snapshotsFile: string

const writeFile = (name: string, content: string) => {
  const file = path.join(tempDir, name)
  fs.writeFileSync(file, content)
  return file
}

const preview = (...args: ReadonlyArray<string>) => runCli(["retention", "preview", ...args])

const previewJson = async (...args: ReadonlyArray<string>) => {
  const result = await preview(...args, "--json")
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as { keep: Array<{ id: string; reasons: Array<string> }>; remove: Array<{ id: string }> }
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "")

beforeAll(() => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-retention-"))
  snapshotsFile = writeFile("snapshots.json", JSON.stringify(golden.snapshots))
})

afterAll(() => {
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true })
})

describe("xvault retention preview --from-file", () => {
  it("keeps what restic keeps for daily, weekly, monthly and yearly counts (golden case 17)", async () => {
    const plan = await previewJson("--from-file", snapshotsFile, "--keep-daily", "7", "--keep-weekly", "2", "--keep-monthly", "3", "--keep-yearly", "10")
    expect(plan.keep.map((k) => k.id)).toEqual(keptByRestic(17))
    expect(plan.keep[0]).toEqual({
      id: "s102",
      reasons: ["daily snapshot", "weekly snapshot", "monthly snapshot", "yearly snapshot", "newest snapshot (always kept)"]
    })
    expect(plan.remove).toHaveLength(golden.snapshots.length - keptByRestic(17).length)
  })

  it("takes restic's durations and tag lists (golden cases 26 and 19), keeping the newest snapshot too", async () => {
    const within = await previewJson("--from-file", snapshotsFile, "--keep-within", "1y1d1m")
    expect(within.keep.map((k) => k.id)).toEqual(keptByRestic(26))
    expect(within.keep[1]!.reasons).toEqual(["within 1y1m1d"])
    const tagged = await previewJson("--from-file", snapshotsFile, "--keep-tag", "foo,bar")
    expect(tagged.keep.map((k) => k.id)).toEqual(["s102", ...keptByRestic(19)])
    expect(tagged.keep[0]!.reasons).toEqual(["newest snapshot (always kept)"])
    const either = await previewJson("--from-file", snapshotsFile, "--keep-tag", "foo", "--keep-tag", "bar")
    expect(either.keep.map((k) => k.id)).toEqual(["s102", ...keptByRestic(20)])
  })

  it("keeps everything when no rule is given", async () => {
    const plan = await previewJson("--from-file", snapshotsFile)
    expect(plan.keep).toHaveLength(golden.snapshots.length)
    expect(plan.remove).toEqual([])
  })

  it("prints a table for people, newest first, with local times of --timezone", async () => {
    const file = writeFile("dst.json", JSON.stringify([
      { id: "mar31-late", time: "2024-03-31T21:30:00Z" },
      { id: "mar31-early", time: "2024-03-30T23:30:00Z" },
      { id: "apr1", time: "2024-03-31T22:30:00Z", tags: ["nightly"] },
      { id: "mar30", time: "2024-03-30T22:30:00+00:00" }
    ]))
    const result = await preview("--from-file", file, "--keep-daily", "3", "--timezone", "Europe/Berlin")
    expect(result.code, result.stderr).toBe(0)
    expect(lines(result.stdout)).toEqual([
      "SNAPSHOT     TIME                       ACTION  REASONS",
      "apr1         2024-04-01T00:30:00+02:00  keep    daily snapshot, newest snapshot (always kept)",
      "mar31-late   2024-03-31T23:30:00+02:00  keep    daily snapshot",
      "mar31-early  2024-03-31T00:30:00+01:00  remove",
      "mar30        2024-03-30T23:30:00+01:00  keep    daily snapshot",
      "keep 3, remove 1 (buckets in Europe/Berlin)"
    ])
    // the same instants in UTC days
    const utc = await previewJson("--from-file", file, "--keep-daily", "3")
    expect(utc.remove).toEqual([{ id: "mar31-late" }])
  })

  it("reads restic's `snapshots --json` (nanoseconds, offsets, null tags, other fields)", async () => {
    const file = writeFile("restic.json", JSON.stringify([
      { id: "a1", short_id: "a1", time: "2024-05-02T10:00:00.123456789+02:00", hostname: "web", paths: ["/srv"], tags: null },
      { id: "b2", short_id: "b2", time: "2024-05-01T10:00:00.5-04:00", hostname: "web", paths: ["/srv"] }
    ]))
    const plan = await previewJson("--from-file", file, "--keep-last", "1")
    expect(plan).toEqual({ keep: [{ id: "a1", reasons: ["last snapshot", "newest snapshot (always kept)"] }], remove: [{ id: "b2" }] })
  })

  const expectRefused = async (cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]>) => {
    // one at a time: a dozen node processes at once can starve a small CI machine
    for (const [args, expected] of cases) {
      const result = await preview(...args)
      expect(result.code, args.join(" ")).toBe(2)
      expect(lines(result.stderr), args.join(" ")).toHaveLength(1)
      expect(result.stderr, args.join(" ")).toContain(expected)
      expect(result.stdout).toBe("")
    }
  }

  it("refuses a bad file with exit 2 and one line naming the problem", async () => {
    await expectRefused([
      [["--from-file", path.join(tempDir, "missing.json")], "cannot read --from-file"],
      [["--from-file", writeFile("garbage.json", "not json")], "is not JSON"],
      [["--from-file", writeFile("object.json", "{}")], "must be a JSON array of snapshots"],
      [["--from-file", writeFile("feb30.json", '[{"id":"x","time":"2024-02-30T00:00:00Z"}]')], "[0].time: '2024-02-30T00:00:00Z' is not an RFC 3339 time"],
      [["--from-file", writeFile("noid.json", '[{"time":"2024-02-03T00:00:00Z"}]')], "[0].id: is missing"],
      [["--from-file", writeFile("twice.json", '[{"id":"x","time":"2024-02-03T00:00:00Z"},{"id":"x","time":"2024-02-04T00:00:00Z"}]')], "the id 'x' appears more than once"]
    ])
  }, 120_000)

  it("refuses bad flags with exit 2 and one line naming the flag", async () => {
    await expectRefused([
      [["--from-file", snapshotsFile, "--keep-last", "-2"], "--keep-last: must be an integer of -1 (unlimited) or more"],
      [["--from-file", snapshotsFile, "--keep-daily", "seven"], "--keep-daily: must be an integer of -1 (unlimited) or more"],
      [["--from-file", snapshotsFile, "--keep-within", "30"], "--keep-within: '30' is not a duration: 30 has no unit"],
      [["--from-file", snapshotsFile, "--keep-within-daily", "1d1d"], "--keep-within-daily: '1d1d' is not a duration: the unit 'd' appears twice"],
      [["--from-file", snapshotsFile, "--keep-tag", "ok", "--keep-tag", "no way"], "--keep-tag 'no way': 'no way' is not a tag"],
      [["--from-file", snapshotsFile, "--timezone", "Mars/Olympus"], "--timezone 'Mars/Olympus' is not an IANA time zone"],
      [["--keep-last", "3"], "give the snapshots with --from-file FILE or --source-id ID"]
    ])
  }, 120_000)

  it("takes --from-file or --source-id, not both (2)", async () => {
    const both = await preview("--from-file", snapshotsFile, "--source-id", "0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e")
    expect(both.code).toBe(2)
    // oclif's own usage error, wrapped to the terminal width
    expect(both.stderr.replace(/\s*›\s*/g, " ")).toContain("cannot also be provided when using --source-id")
  })
})

describe("xvault retention preview --source-id", () => {
  const fileScope = Effect.runSync(Scope.make())
  let hub: HubProcess
  const adminToken = tokenFor({ role: "admin", subject: "retention-cli-test" })
  const workerToken = tokenFor({ role: "worker", workerId: "w1" as WorkerId })

  const api = async <A = Record<string, any>>(route: string, body: unknown, token = adminToken) => {
    const response = await fetch(`${hub.baseUrl}${route}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`POST ${route}: ${response.status} ${text}`)
    return (text === "" ? undefined : JSON.parse(text)) as A
  }

  /** A backup done through the API, the Hub's side for real and the worker's played by the test. */
  const backup = async (tenantId: string, sourceId: string, tags: ReadonlyArray<string>) => {
    const job = await api<{ id: string; snapshotId: string }>(`/v1/sources/${sourceId}/backups`, { tags })
    const { lease } = await api<{ lease: { id: string } }>(`/v1/worker/jobs/${job.id}/claim`, undefined, workerToken)
    await api(`/v1/worker/jobs/${job.id}/complete`, {
      type: "backup",
      leaseId: lease.id,
      locator: `tenants/${tenantId}/sources/${sourceId}/snapshots/${job.snapshotId}/backup.tar.zst.enc`,
      sizeBytes: 1024,
      sha256: "ab".repeat(32),
      fileCount: 1,
      dirCount: 1,
      symlinkCount: 0,
      bytesIn: 1024,
      ageHeader: "x",
      manifest: {},
      warnings: []
    }, workerToken)
    return job.snapshotId
  }

  const atHub = (...args: ReadonlyArray<string>) =>
    runCli(["retention", "preview", ...args], { env: { HUB_BASE_URL: hub.baseUrl, XVAULT_TOKEN: adminToken } })

  beforeAll(async () => {
    hub = await Effect.runPromise(Scope.extend(startHub(), fileScope))
  })

  afterAll(async () => {
    await Effect.runPromise(Scope.close(fileScope, Exit.void))
  })

  it("previews the source's available snapshots on the Hub", async () => {
    const tenant = await api<{ id: string }>("/v1/tenants", { name: `retention-${randomBytes(3).toString("hex")}` })
    const source = await api<{ id: string }>(`/v1/tenants/${tenant.id}/sources`, {
      name: "web",
      host: "127.0.0.1",
      username: "backup",
      credentials: { _tag: "password", password: "pw" },
      paths: ["/data"]
    })
    const oldest = await backup(tenant.id, source.id, ["monthly"])
    const middle = await backup(tenant.id, source.id, [])
    const newest = await backup(tenant.id, source.id, [])
    const result = await atHub("--source-id", source.id, "--keep-tag", "monthly", "--json")
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      keep: [{ id: newest, reasons: ["newest snapshot (always kept)"] }, { id: oldest, reasons: ["has tags [monthly]"] }],
      remove: [{ id: middle }]
    })
  })

  it("says so when the source does not exist (3)", async () => {
    const result = await atHub("--source-id", "0b4e6c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e", "--keep-last", "1")
    expect(result.code, result.stderr).toBe(3)
    expect(lines(result.stderr)).toHaveLength(1)
  })
})
