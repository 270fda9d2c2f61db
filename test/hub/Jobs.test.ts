import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import { Redis } from "ioredis"
import type { JobId, SnapshotId, SourceId, TenantId, WorkerId } from "../../src/shared/contract/Ids.js"
import { SftpSpec } from "../../src/shared/contract/SftpSource.js"
import { redisUrl } from "../support/env.js"
import { adminToken, clientAs, HubTestLive, rawRequest, TestDatabase, tokenFor } from "../support/HubTest.js"

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`
const workerToken = (workerId = "w1") => tokenFor({ role: "worker", workerId: workerId as WorkerId })
const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

const password = `pw-${crypto.randomUUID()}`

/** A tenant with one password source, as an admin would set it up. */
const tenantWithSource = Effect.gen(function*() {
  const hub = yield* clientAs(adminToken())
  const tenant = yield* hub.tenants.create({ payload: { name: unique("t") } })
  const source = yield* hub.sources.create({
    path: { tenantId: tenant.id },
    payload: {
      name: unique("web"),
      host: "127.0.0.1",
      port: 2222,
      username: "backup",
      credentials: { _tag: "password", password: Redacted.make(password) },
      paths: ["/srv"],
      excludes: []
    }
  })
  return { hub, tenant, source }
})

const completion = (job: { tenantId: TenantId; sourceId: SourceId | null; snapshotId: SnapshotId | null }, leaseId: string) => ({
  type: "backup" as const,
  leaseId,
  locator: `tenants/${job.tenantId}/sources/${job.sourceId}/snapshots/${job.snapshotId}/backup.tar.zst.enc`,
  sizeBytes: 1234,
  sha256: "a".repeat(64),
  fileCount: 3,
  dirCount: 2,
  symlinkCount: 1,
  bytesIn: 999,
  ageHeader: "age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\n",
  manifest: { formatVersion: 1 },
  warnings: [{ path: "/srv/secret", message: "permission denied" }]
})

const waitForJob = (jobId: JobId, until: (status: string) => boolean) =>
  Effect.gen(function*() {
    const hub = yield* clientAs(adminToken())
    for (let i = 0; i < 100; i++) {
      const job = yield* hub.jobs.get({ path: { id: jobId } })
      if (until(job.status) && job.attempt >= 0) return job
      yield* sleep(100)
    }
    return yield* Effect.dieMessage(`job ${jobId} did not reach the expected status`)
  })

layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("backup jobs (real PostgreSQL and Redis)", (it) => {
  it.effect("enqueue allocates the snapshot id and puts only ids on Redis", () =>
    Effect.gen(function*() {
      const { hub, source } = yield* tenantWithSource
      const job = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: ["nightly"] } })
      expect(job).toMatchObject({ type: "backup", status: "queued", attempt: 0, sourceId: source.id, tags: ["nightly"] })
      expect(job.snapshotId).toMatch(/^[0-9a-f-]{36}$/)

      const db = yield* TestDatabase
      const redis = new Redis(redisUrl)
      const keys = yield* Effect.promise(() => redis.keys(`xvt-${db.name}:backup:${job.id}*`))
      const data = yield* Effect.promise(() => redis.hget(keys[0]!, "data"))
      redis.disconnect()
      expect(JSON.parse(data!)).toEqual({ jobId: job.id, attempt: 1 })

      const again = yield* Effect.flip(hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: [] } }))
      expect(again._tag).toBe("Conflict")
      expect(again.message).toContain(job.id)
    }))

  it.effect("a claim hands the worker the credentials and a lease; a second claim is refused", () =>
    Effect.gen(function*() {
      const { hub, source, tenant } = yield* tenantWithSource
      const job = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: [] } })
      const worker = yield* clientAs(workerToken())
      const claim = yield* worker.workers.claim({ path: { id: job.id } })
      expect(claim).toMatchObject({ type: "backup", jobId: job.id, attempt: 1, snapshotId: job.snapshotId, recipients: [tenant.publicKey] })
      if (claim.type !== "backup") return expect.unreachable("a backup job gives a backup claim")
      const spec = claim.source.spec
      if (!Schema.is(SftpSpec)(spec)) return expect.unreachable("an sftp source gives an sftp spec")
      expect(spec).toMatchObject({ kind: "sftp", host: "127.0.0.1", port: 2222, username: "backup" })
      expect(spec.credentials._tag).toBe("password")
      if (spec.credentials._tag === "password") expect(Redacted.value(spec.credentials.password)).toBe(password)

      const other = yield* clientAs(workerToken("w2"))
      const second = yield* Effect.flip(other.workers.claim({ path: { id: job.id } }))
      expect(second.message).toContain("running (worker w1)")
      expect((yield* hub.jobs.get({ path: { id: job.id } }))).toMatchObject({ status: "running", workerId: "w1", attempt: 1 })
    }))

  it.effect("completion under the current lease records the snapshot and ends the job in one step", () =>
    Effect.gen(function*() {
      const { hub, source } = yield* tenantWithSource
      const job = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: ["t1"] } })
      const worker = yield* clientAs(workerToken())
      const claim = yield* worker.workers.claim({ path: { id: job.id } })

      const wrongPlace = { ...completion(job, claim.lease.id), locator: `tenants/x/../../etc/backup.tar.zst.enc` }
      const refused = yield* Effect.flip(worker.workers.complete({ path: { id: job.id }, payload: wrongPlace }))
      expect(refused.message).toContain("is not where job")

      const stale = yield* Effect.flip(
        worker.workers.complete({ path: { id: job.id }, payload: completion(job, crypto.randomUUID()) })
      )
      expect(stale.message).toContain("no longer current")

      yield* worker.workers.progress({
        path: { id: job.id },
        payload: { leaseId: claim.lease.id, progress: { files: 1, dirs: 1, symlinks: 0, bytesRead: 10, bytesWritten: 5 } }
      })
      expect((yield* hub.jobs.get({ path: { id: job.id } })).progress).toMatchObject({ files: 1, bytesRead: 10 })

      yield* worker.workers.complete({ path: { id: job.id }, payload: completion(job, claim.lease.id) })
      const done = yield* hub.jobs.get({ path: { id: job.id } })
      expect(done).toMatchObject({ status: "succeeded", error: null })
      expect(done.result).toMatchObject({ snapshotId: job.snapshotId, fileCount: 3, warnings: [{ path: "/srv/secret" }] })

      const page = yield* hub.snapshots.listForSource({ path: { id: source.id }, urlParams: {} })
      expect(page.snapshots.map((s) => s.id)).toEqual([job.snapshotId])
      expect(page.snapshots[0]).toMatchObject({ storageBackend: "local_fs", workerId: "w1", tags: ["t1"], sizeBytes: 1234 })

      const twice = yield* Effect.flip(worker.workers.complete({ path: { id: job.id }, payload: completion(job, claim.lease.id) }))
      expect(twice._tag).toBe("Conflict")
    }))

  it.effect("a transient failure is retried up to max attempts; a permanent one is not", () =>
    Effect.gen(function*() {
      const { hub, source } = yield* tenantWithSource
      const worker = yield* clientAs(workerToken())
      const job = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: [] } })
      for (let attempt = 1; attempt <= 3; attempt++) {
        const claim = yield* worker.workers.claim({ path: { id: job.id } })
        expect(claim.attempt).toBe(attempt)
        const outcome = yield* worker.workers.fail({
          path: { id: job.id },
          payload: { leaseId: claim.lease.id, error: "cannot reach 127.0.0.1:2222: connection refused", retryable: true }
        })
        expect(outcome.status).toBe(attempt < 3 ? "queued" : "failed")
      }
      const failed = yield* hub.jobs.get({ path: { id: job.id } })
      expect(failed).toMatchObject({ status: "failed", attempt: 3, error: "cannot reach 127.0.0.1:2222: connection refused" })

      const next = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: [] } })
      const claim = yield* worker.workers.claim({ path: { id: next.id } })
      const outcome = yield* worker.workers.fail({
        path: { id: next.id },
        payload: { leaseId: claim.lease.id, error: "authentication failed for user backup", retryable: false }
      })
      expect(outcome.status).toBe("failed")
    }))

  it.effect("an expired lease is retried, and the presumed-dead worker can no longer report", () =>
    Effect.gen(function*() {
      const { hub, source } = yield* tenantWithSource
      const job = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: [] } })
      const dead = yield* clientAs(workerToken("w-dead"))
      const claim = yield* dead.workers.claim({ path: { id: job.id } })
      // the test Hub leases for 2 s and sweeps every 0.2 s
      const requeued = yield* waitForJob(job.id, (s) => s === "queued")
      expect(requeued.error).toContain("worker w-dead stopped reporting during attempt 1")

      const alive = yield* clientAs(workerToken("w-alive"))
      const retry = yield* alive.workers.claim({ path: { id: job.id } })
      expect(retry.attempt).toBe(2)
      const stale = yield* Effect.flip(dead.workers.complete({ path: { id: job.id }, payload: completion(job, claim.lease.id) }))
      expect(stale.message).toContain("no longer current")
      yield* alive.workers.complete({ path: { id: job.id }, payload: completion(job, retry.lease.id) })

      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ worker_id: string }>`SELECT worker_id FROM snapshots WHERE job_id = ${job.id}`
      expect(rows).toEqual([{ worker_id: "w-alive" }])
    }))

  it.effect("trust on first use records the host key once; only workers may report", () =>
    Effect.gen(function*() {
      const { hub, source } = yield* tenantWithSource
      const job = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: [] } })
      const worker = yield* clientAs(workerToken())
      const claim = yield* worker.workers.claim({ path: { id: job.id } })
      if (claim.type !== "backup") return expect.unreachable("a backup job gives a backup claim")
      if (!Schema.is(SftpSpec)(claim.source.spec)) return expect.unreachable("an sftp source gives an sftp spec")
      expect(claim.source.spec.hostKey).toBeNull()
      const fingerprint = `SHA256:${Buffer.alloc(32, 9).toString("base64").replace(/=+$/, "")}`
      yield* worker.workers.hostKey({ path: { id: job.id }, payload: { leaseId: claim.lease.id, fingerprint } })
      expect((yield* hub.sources.get({ path: { id: source.id } })).hostKey).toBe(fingerprint)
      const other = `SHA256:${Buffer.alloc(32, 8).toString("base64").replace(/=+$/, "")}`
      const mismatch = yield* Effect.flip(
        worker.workers.hostKey({ path: { id: job.id }, payload: { leaseId: claim.lease.id, fingerprint: other } })
      )
      expect(mismatch.message).toContain("host key mismatch")
      // its own error, not the Conflict a lost lease gets: the worker fails the job instead of abandoning it
      expect(mismatch._tag).toBe("HostKeyMismatch")

      const asAdmin = yield* rawRequest("POST", `/v1/worker/jobs/${job.id}/claim`, { token: adminToken() })
      expect(asAdmin.status).toBe(403)
      const workerEnqueues = yield* rawRequest("POST", `/v1/sources/${source.id}/backups`, { token: workerToken(), body: "{}" })
      expect(workerEnqueues.status).toBe(403)
    }))

  it.effect("another tenant's jobs and snapshots answer 404", () =>
    Effect.gen(function*() {
      const { hub, source } = yield* tenantWithSource
      const job = yield* hub.jobs.enqueueBackup({ path: { id: source.id }, payload: { tags: [] } })
      const stranger = yield* tenantWithSource
      const token = tokenFor({ role: "tenant", tenantId: stranger.tenant.id })
      for (const path of [`/v1/jobs/${job.id}`, `/v1/sources/${source.id}/snapshots`]) {
        expect((yield* rawRequest("GET", path, { token })).status).toBe(404)
      }
      expect((yield* rawRequest("POST", `/v1/sources/${source.id}/backups`, { token, body: "{}" })).status).toBe(404)
    }))

  it.effect("the tenant key export is admin-only and audited", () =>
    Effect.gen(function*() {
      const { hub, tenant } = yield* tenantWithSource
      const exported = yield* hub.tenants.exportKey({ path: { id: tenant.id } })
      expect(Redacted.value(exported.secretKey)).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/)
      const asTenant = yield* rawRequest("POST", `/v1/tenants/${tenant.id}/key/export`, {
        token: tokenFor({ role: "tenant", tenantId: tenant.id })
      })
      expect(asTenant.status).toBe(403)
      const audit = yield* hub.audit.list({ urlParams: { tenantId: tenant.id } })
      expect(audit.entries.map((e) => e.action)).toContain("tenant.key_export")
    }))
})
