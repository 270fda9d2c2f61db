import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { expect } from "vitest"
import type { WorkerId } from "../../src/shared/contract/Ids.js"
import { type HubProcess, runCli, startHub } from "./HubProcess.js"
import { tokenFor } from "./HubTest.js"

/**
 * CLI tests against one real Hub process, without a worker: the test plays worker `w1` through
 * the worker endpoints, so snapshots, restores and verifications reach every state on purpose.
 */
export const playedWorkerHarness = (name: string, options: { readonly hubEnv?: Record<string, string> } = {}) => {
  const scope = Effect.runSync(Scope.make())
  let hub: HubProcess | undefined
  const adminToken = tokenFor({ role: "admin", subject: `${name}-cli-test` })
  const workerToken = tokenFor({ role: "worker", workerId: "w1" as WorkerId })

  const xvault = (args: ReadonlyArray<string>, token = adminToken) =>
    runCli(args, { env: { HUB_BASE_URL: hub!.baseUrl, XVAULT_TOKEN: token } })

  /** Runs the command with --json, expects exit 0 and returns what it printed. */
  const json = async <A = any>(args: ReadonlyArray<string>, token = adminToken): Promise<A> => {
    const result = await xvault([...args, "--json"], token)
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
    return JSON.parse(result.stdout) as A
  }

  /** Setup and the worker's side go straight to the API. */
  const api = async <A = any>(method: "GET" | "POST", route: string, body?: unknown, token = adminToken): Promise<A> => {
    const response = await fetch(`${hub!.baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`)
    return (text === "" ? undefined : JSON.parse(text)) as A
  }

  const tenantWithSource = async () => {
    const tenant = await api<{ id: string; publicKey: string }>("POST", "/v1/tenants", {
      name: `${name}-${randomBytes(3).toString("hex")}`
    })
    const source = await api<{ id: string }>("POST", `/v1/tenants/${tenant.id}/sources`, {
      name: "web",
      host: "127.0.0.1",
      username: "backup",
      credentials: { _tag: "password", password: "pw" },
      paths: ["/data"]
    })
    return { tenantId: tenant.id, publicKey: tenant.publicKey, sourceId: source.id }
  }

  const claim = async (jobId: string) =>
    (await api<{ lease: { id: string } }>("POST", `/v1/worker/jobs/${jobId}/claim`, undefined, workerToken)).lease.id

  const report = (jobId: string, step: "progress" | "fail" | "complete", body: Record<string, unknown>) =>
    api("POST", `/v1/worker/jobs/${jobId}/${step}`, body, workerToken)

  /** A real age header for the tenant's key: the Hub unwraps the file key from it when a restore or verify is claimed. */
  const ageHeaderFor = (publicKey: string) => {
    const sealed = execFileSync("age", ["-r", publicKey], { input: "x" }).toString("latin1")
    return sealed.slice(0, sealed.indexOf("\n", sealed.indexOf("\n--- ") + 1) + 1)
  }

  /** A whole backup done through the API: what a worker would leave behind. */
  const snapshotViaApi = async (f: { tenantId: string; publicKey: string; sourceId: string }, tags: ReadonlyArray<string> = []) => {
    const job = await api<{ id: string; snapshotId: string }>("POST", `/v1/sources/${f.sourceId}/backups`, { tags })
    await report(job.id, "complete", {
      type: "backup",
      leaseId: await claim(job.id),
      locator: `tenants/${f.tenantId}/sources/${f.sourceId}/snapshots/${job.snapshotId}/backup.tar.zst.enc`,
      sizeBytes: 2048,
      sha256: "ab".repeat(32),
      fileCount: 3,
      dirCount: 2,
      symlinkCount: 1,
      bytesIn: 4096,
      ageHeader: ageHeaderFor(f.publicKey),
      manifest: {},
      warnings: []
    })
    return job.snapshotId
  }

  return {
    start: async () => {
      hub = await Effect.runPromise(Scope.extend(startHub(options.hubEnv ? { env: options.hubEnv } : {}), scope))
    },
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    hub: () => hub!,
    adminToken,
    workerToken,
    xvault,
    json,
    api,
    tenantWithSource,
    snapshotViaApi,
    claim,
    report
  }
}

export const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "")

export const missingId = "00000000-0000-4000-8000-000000000000"
