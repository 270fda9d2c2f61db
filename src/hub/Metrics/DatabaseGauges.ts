import { SqlClient } from "@effect/sql"
import { Effect, Runtime } from "effect"
import { Gauge, type Registry } from "prom-client"
import { BACKUP_QUEUE, workerQueue } from "../../shared/queue/Queues.js"
import { JobQueue } from "../Jobs/JobQueue.js"

/** Numbers from PostgreSQL arrive as strings (bigint, numeric); NULL stays absent. */
const num = (value: string | number | null) => (value === null ? undefined : Number(value))

type Series = Iterable<readonly [Record<string, string>, number | undefined]>

const JOB_TYPES = ["backup", "delete_snapshot", "restore", "verify"]

/**
 * Gauges whose values live in the database and the queues, read when Prometheus scrapes, so
 * every Hub answers the same. Only ids and names label them: tenant and source names, worker
 * ids, job types, never a host, path or credential.
 */
export const registerDatabaseGauges = (registry: Registry) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const queue = yield* JobQueue
    const run = Runtime.runPromise(yield* Effect.runtime<never>())
    const query = <Row extends object>(statement: Effect.Effect<ReadonlyArray<Row>, unknown>) => run(Effect.orDie(statement))

    /** A gauge rebuilt at every scrape from `read`: series that vanished from the data vanish here too. */
    const scraped = <Row>(name: string, help: string, labelNames: Array<string>, read: () => Promise<Row>, series: (rows: Row) => Series) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          const rows = await read()
          this.reset()
          for (const [labels, value] of series(rows)) if (value !== undefined) this.set(labels, value)
        }
      })

    scraped(
      "xvault_jobs_active",
      "Jobs queued or running now, by type and status.",
      ["type", "status"],
      () => query(sql<{ type: string; status: string; n: string }>`
        SELECT type, status, count(*) AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY type, status`),
      (rows) => [
        ...JOB_TYPES.flatMap((type) => ["queued", "running"].map((status) => [{ type, status }, 0] as const)),
        ...rows.map((r) => [{ type: r.type, status: r.status }, Number(r.n)] as const)
      ]
    )

    const sources = () =>
      query(sql<{ tenant: string; source: string; last_success: string | null; last_verified: string | null }>`
        SELECT t.name AS tenant, s.name AS source,
               extract(epoch FROM max(sn.created_at)) AS last_success,
               extract(epoch FROM max(sn.verified_at) FILTER (WHERE sn.verify_error IS NULL)) AS last_verified
        FROM snapshots sn JOIN sources s ON s.id = sn.source_id JOIN tenants t ON t.id = s.tenant_id
        GROUP BY t.name, s.name`)
    scraped(
      "xvault_source_last_success_timestamp_seconds",
      "When the source's newest successful backup finished (Unix time); absent until its first one.",
      ["tenant", "source"],
      sources,
      (rows) => rows.map((r) => [{ tenant: r.tenant, source: r.source }, num(r.last_success)] as const)
    )
    scraped(
      "xvault_source_last_verified_timestamp_seconds",
      "When one of the source's snapshots was last verified intact (Unix time); absent until then.",
      ["tenant", "source"],
      sources,
      (rows) => rows.map((r) => [{ tenant: r.tenant, source: r.source }, num(r.last_verified)] as const)
    )

    const tenants = () =>
      query(sql<{ tenant: string; status: string | null; n: string; bytes: string | null }>`
        SELECT t.name AS tenant, sn.status, count(sn.id) AS n, sum(sn.size_bytes) AS bytes
        FROM tenants t LEFT JOIN snapshots sn ON sn.tenant_id = t.id AND sn.status <> 'deleted'
        GROUP BY t.name, sn.status`)
    scraped(
      "xvault_tenant_snapshots",
      "Snapshots stored per tenant, by status (available, corrupt, deleting).",
      ["tenant", "status"],
      tenants,
      (rows) => [
        ...rows.map((r) => [{ tenant: r.tenant, status: "available" }, 0] as const),
        ...rows.filter((r) => r.status !== null).map((r) => [{ tenant: r.tenant, status: r.status! }, Number(r.n)] as const)
      ]
    )
    scraped(
      "xvault_tenant_stored_bytes",
      "Bytes of the snapshots stored per tenant (every status but deleted).",
      ["tenant"],
      tenants,
      (rows) => {
        const totals = new Map<string, number>()
        for (const r of rows) totals.set(r.tenant, (totals.get(r.tenant) ?? 0) + (num(r.bytes) ?? 0))
        return [...totals].map(([tenant, bytes]) => [{ tenant }, bytes] as const)
      }
    )

    const workers = () =>
      query(sql<{ id: string; age: string; free_bytes: string | null }>`
        SELECT id, extract(epoch FROM now() - last_seen_at) AS age, free_bytes FROM workers`)
    scraped(
      "xvault_worker_heartbeat_age_seconds",
      "Seconds since the worker last checked in (it does every 15 s while running).",
      ["worker"],
      workers,
      (rows) => rows.map((r) => [{ worker: r.id }, Math.max(0, Number(r.age))] as const)
    )
    scraped(
      "xvault_worker_free_bytes",
      "Free bytes on the worker's storage volume, as of its last heartbeat.",
      ["worker"],
      workers,
      (rows) => rows.map((r) => [{ worker: r.id }, num(r.free_bytes)] as const)
    )

    scraped(
      "xvault_queue_jobs",
      "Messages in each BullMQ queue (backup, worker-<id>), by state (waiting, delayed, active, prioritized).",
      ["queue", "state"],
      async () => {
        const names = [BACKUP_QUEUE, ...(await workers()).map((w) => workerQueue(w.id))]
        return Promise.all(names.map(async (name) => ({ name, counts: await run(queue.depth(name)) })))
      },
      (queues) => queues.flatMap(({ counts, name }) => Object.entries(counts).map(([state, n]) => [{ queue: name, state }, n] as const))
    )
  })
