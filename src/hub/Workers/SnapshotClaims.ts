import { SqlClient } from "@effect/sql"
import { Effect, Either, Redacted } from "effect"
import { unwrapFileKey } from "../../shared/crypto/age/Age.js"
import type { SnapshotId, SourceId, TenantId } from "../../shared/contract/Ids.js"
import type { DeleteSnapshotClaim, RestoreClaim, SnapshotOnWorker, VerifyClaim } from "../../shared/contract/Workers.js"
import type { JobRow } from "../Jobs/JobRow.js"
import { sealContext, SealedColumns } from "../Secrets/SealedColumns.js"
import { Sealer } from "../Secrets/Sealer.js"
import { BackupClaims, claimBase, type Lease } from "./BackupClaims.js"

interface ClaimSnapshotRow {
  readonly id: string
  readonly tenant_id: string
  readonly source_id: string
  readonly locator: string
  readonly sha256: string
  readonly size_bytes: string
  readonly age_header: string | null
  readonly age_secret_key_sealed: Uint8Array
}

/**
 * Builds what a worker gets for a job on a snapshot it holds. For a restore or verify that
 * includes the snapshot's own file key, unwrapped here with the tenant's identity: the
 * worker can open this one artifact and never sees the tenant's secret key.
 */
export class SnapshotClaims extends Effect.Service<SnapshotClaims>()("hub/SnapshotClaims", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sealer = yield* Sealer
    const sources = yield* BackupClaims

    const snapshotRow = (job: JobRow) =>
      Effect.flatMap(
        sql<ClaimSnapshotRow>`
          SELECT s.id, s.tenant_id, s.source_id, s.locator, s.sha256, s.size_bytes, s.age_header, t.age_secret_key_sealed
          FROM snapshots s JOIN tenants t ON t.id = s.tenant_id
          WHERE s.id = ${job.snapshot_id}`,
        (rows) => rows[0] ? Effect.succeed(rows[0]) : Effect.dieMessage(`job ${job.id} refers to a missing snapshot`)
      )

    const onWorker = (row: ClaimSnapshotRow): SnapshotOnWorker => ({
      id: row.id as SnapshotId,
      tenantId: row.tenant_id as TenantId,
      sourceId: row.source_id as SourceId,
      locator: row.locator,
      sha256: row.sha256,
      sizeBytes: Number(row.size_bytes)
    })

    const fileKeyOf = (row: ClaimSnapshotRow) =>
      Effect.gen(function*() {
        if (row.age_header === null) return yield* Effect.dieMessage(`snapshot ${row.id} has no recorded age header`)
        const identity = yield* sealer.open(row.age_secret_key_sealed, sealContext(SealedColumns.tenantSecretKey, row.tenant_id))
        const fileKey = unwrapFileKey(row.age_header, Redacted.value(identity))
        if (Either.isLeft(fileKey)) return yield* Effect.dieMessage(`snapshot ${row.id}: ${fileKey.left.message}`)
        return Redacted.make(Buffer.from(fileKey.right).toString("base64"))
      })

    const build = (job: JobRow, lease: Lease) =>
      Effect.gen(function*() {
        const row = yield* snapshotRow(job)
        const base = { ...claimBase(job, lease), snapshot: onWorker(row) }
        switch (job.type) {
          case "delete_snapshot":
            return { type: "delete_snapshot", ...base } satisfies DeleteSnapshotClaim
          case "verify":
            return { type: "verify", ...base, fileKey: yield* fileKeyOf(row) } satisfies VerifyClaim
          default: {
            const target: RestoreClaim["target"] = job.params.to === "sftp"
              ? {
                _tag: "sftp",
                source: yield* sources.connection(job, job.params.targetSourceId ?? row.source_id),
                path: job.params.targetPath ?? null,
                overwrite: job.params.overwrite ?? false
              }
              : { _tag: "archive" }
            return {
              type: "restore",
              ...base,
              fileKey: yield* fileKeyOf(row),
              includes: job.params.includes ?? [],
              target
            } satisfies RestoreClaim
          }
        }
      }).pipe(Effect.catchTag("SqlError", Effect.die), Effect.catchTag("SealedSecretUnreadable", Effect.die))

    return { build } as const
  })
}) {}
