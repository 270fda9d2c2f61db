import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import type { JobId, SnapshotId, SourceId, TenantId } from "../../shared/contract/Ids.js"
import type { BackupClaim, ClaimedSource } from "../../shared/contract/Workers.js"
import type { JobRow } from "../Jobs/JobRow.js"
import { sealContext, SealedColumns } from "../Secrets/SealedColumns.js"
import { Sealer } from "../Secrets/Sealer.js"
import { hubSourceKind } from "../Sources/SourceKinds.js"
import type { SourceRow } from "../Sources/SourceRow.js"

interface ClaimSourceRow extends SourceRow {
  readonly credential_sealed: Uint8Array | null
  readonly passphrase_sealed: Uint8Array | null
  readonly age_public_key: string
}

export interface Lease {
  readonly id: string
  readonly expiresAt: Date
}

/** What every claim carries: which job, which attempt, and the lease its reports must quote. */
export const claimBase = (job: JobRow, lease: Lease) => ({
  jobId: job.id as JobId,
  attempt: job.attempt,
  maxAttempts: job.max_attempts,
  lease: { id: lease.id, expiresAt: DateTime.unsafeFromDate(lease.expiresAt) }
})

/** Builds what a worker gets for a backup attempt, opening the source's credentials for it alone. */
export class BackupClaims extends Effect.Service<BackupClaims>()("hub/BackupClaims", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sealer = yield* Sealer

    const credentialsOf = (row: ClaimSourceRow) =>
      Effect.gen(function*() {
        if (row.credential_sealed === null) return null
        const secret = yield* sealer.open(row.credential_sealed, sealContext(SealedColumns.sourceCredential, row.id))
        if (row.auth_method === "password") return { _tag: "password", password: secret } as const
        if (row.passphrase_sealed === null) return { _tag: "privateKey", privateKey: secret } as const
        const passphrase = yield* sealer.open(row.passphrase_sealed, sealContext(SealedColumns.sourcePassphrase, row.id))
        return { _tag: "privateKey", privateKey: secret, passphrase } as const
      })

    const sourceRow = (job: JobRow, sourceId: string | null) =>
      Effect.flatMap(
        sql<ClaimSourceRow>`
          SELECT s.id, s.tenant_id, s.name, s.kind, s.spec, s.auth_method, s.credential_sealed, s.passphrase_sealed,
                 s.paths, s.excludes, s.host_key_fingerprint, s.created_at, t.age_public_key
          FROM sources s JOIN tenants t ON t.id = s.tenant_id
          WHERE s.id = ${sourceId}`,
        (rows) => rows[0] ? Effect.succeed(rows[0]) : Effect.dieMessage(`job ${job.id} refers to a missing source`)
      )

    const connectionOf = (row: ClaimSourceRow) =>
      Effect.map(credentialsOf(row), (credentials): ClaimedSource => ({
        id: row.id as SourceId,
        spec: hubSourceKind(row.kind).spec(row, credentials)
      }))

    /** How to reach a source, with its credentials opened for the worker holding this job's lease. */
    const connection = (job: JobRow, sourceId: string | null) =>
      Effect.flatMap(sourceRow(job, sourceId), connectionOf).pipe(
        Effect.catchTag("SqlError", Effect.die),
        Effect.catchTag("SealedSecretUnreadable", Effect.die)
      )

    const build = (job: JobRow, lease: Lease) =>
      Effect.gen(function*() {
        const source = yield* sourceRow(job, job.source_id)
        const claim: BackupClaim = {
          type: "backup",
          ...claimBase(job, lease),
          snapshotId: job.snapshot_id as SnapshotId,
          tenantId: job.tenant_id as TenantId,
          recipients: [source.age_public_key],
          tags: job.params.tags ?? [],
          source: { ...(yield* connectionOf(source)), paths: source.paths, excludes: source.excludes }
        }
        return claim
      }).pipe(Effect.catchTag("SqlError", Effect.die), Effect.catchTag("SealedSecretUnreadable", Effect.die))

    return { build, connection } as const
  })
}) {}
