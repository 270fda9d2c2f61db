import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { e2eHarness } from "../support/E2e.js"
import { startHub } from "../support/HubProcess.js"
import { buildSourceTree, describeTree } from "../support/SourceTree.js"
import { type SshdServer, startSshd } from "../support/Sshd.js"
import { startWorker, type WorkerProcess } from "../support/WorkerProcess.js"

// docs/disaster-recovery.md promises a snapshot comes back with nothing but its file, the
// exported key, age, zstd and tar: its `sh` blocks are run here exactly as the page shows them.

const doc = fs.readFileSync(path.join(import.meta.dirname, "../../docs/disaster-recovery.md"), "utf8")
const script = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((block) => block[1]).join("\n")

const e2e = e2eHarness()
let sshd: SshdServer
let worker: WorkerProcess
let work: string
let data: string
let snapshotDir: string
let key: string

/** A directory holding what the page says a recovery starts from, and nothing of xVault. */
const recoveryDir = (name: string, damage: (artifact: Buffer) => Buffer = (b) => b) => {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, "backup.tar.zst.enc"), damage(fs.readFileSync(path.join(snapshotDir, "backup.tar.zst.enc"))))
  fs.copyFileSync(path.join(snapshotDir, "manifest.json"), path.join(dir, "manifest.json"))
  fs.writeFileSync(path.join(dir, "tenant.key"), key, { mode: 0o600 })
  return dir
}

const runDoc = (cwd: string) =>
  spawnSync("bash", ["-e", "-c", script], { cwd, encoding: "utf8", env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" } })

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "xvault-dr-"))
  const [hub, server] = await Promise.all([e2e.inScope(startHub()), e2e.inScope(startSshd())])
  e2e.setHub(hub)
  sshd = server
  worker = await e2e.inScope(startWorker(hub))
  data = path.join(sshd.root, "data")
  buildSourceTree(data)
  const keyFile = path.join(work, "client.key")
  fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 })
  const tenant = await e2e.json<{ id: string }>(["tenant", "create", "--name", `dr-${Date.now().toString(36)}`])
  const source = await e2e.json<{ id: string }>([
    "source", "create", "--tenant-id", tenant.id, "--name", "dr-source", "--host", sshd.host, "--port", String(sshd.port),
    "--username", sshd.username, "--private-key-file", keyFile, "--path", data
  ])
  const job = await e2e.json<{ snapshotId: string; status: string }>(["backup", "enqueue", "--source-id", source.id, "--wait"])
  expect(job.status).toBe("succeeded")
  snapshotDir = path.join(worker.storage, "tenants", tenant.id, "sources", source.id, "snapshots", job.snapshotId)
  const exported = await e2e.xvault(["tenant", "key", "export", "--tenant-id", tenant.id])
  expect(exported.code, exported.stderr).toBe(0)
  key = exported.stdout
})

afterAll(async () => {
  await e2e.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe("docs/disaster-recovery.md, run as written", () => {
  it("has the steps to check, list, restore everything and restore a part", () => {
    expect(script).toContain("sha256sum --check")
    expect(script).toContain("tar -x -p -C restored")
    expect(script).toContain("tar -x -p -C partial")
  })

  it("gets the source tree back from the snapshot file and the exported key alone", () => {
    const dir = recoveryDir("intact")
    const run = runDoc(dir)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain("backup.tar.zst.enc: OK")
    expect(describeTree(path.join(dir, "restored", data))).toEqual(describeTree(data))
    expect(fs.readdirSync(path.join(dir, "partial", data))).toEqual(["docs"])
    expect(describeTree(path.join(dir, "partial", data, "docs"))).toEqual(describeTree(path.join(data, "docs")))
    const listed = fs.readFileSync(path.join(dir, "contents.txt"), "utf8")
    expect(listed).toContain(`${data.slice(1)}/docs/readme.txt`)
  })

  it("refuses a damaged file at its first check, before anything is decrypted or written", () => {
    const dir = recoveryDir("damaged", (artifact) => {
      artifact[Math.floor(artifact.length / 2)]! ^= 0x01
      return artifact
    })
    const run = runDoc(dir)
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain("computed checksum did NOT match")
    expect(fs.readdirSync(dir).sort()).toEqual(["backup.tar.zst.enc", "manifest.json", "tenant.key"])
  })
})
