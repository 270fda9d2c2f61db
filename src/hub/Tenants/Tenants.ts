import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option, Redacted } from "effect"
import { generateAgeIdentity } from "../../shared/crypto/AgeKeys.js"
import { Conflict, NotFound } from "../../shared/contract/ApiError.js"
import type { TenantId } from "../../shared/contract/Ids.js"
import { Tenant } from "../../shared/contract/Tenants.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { sealContext, SealedColumns } from "../Secrets/SealedColumns.js"
import { Sealer } from "../Secrets/Sealer.js"

interface TenantRow {
  readonly id: string
  readonly name: string
  readonly age_public_key: string
  readonly created_at: Date
}

const toTenant = (row: TenantRow) =>
  new Tenant({
    id: row.id as TenantId,
    name: row.name,
    publicKey: row.age_public_key,
    createdAt: DateTime.unsafeFromDate(row.created_at)
  })

export const tenantNotFound = (id: string) => new NotFound({ message: `tenant ${id} not found` })

export class Tenants extends Effect.Service<Tenants>()("hub/Tenants", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sealer = yield* Sealer
    const audit = yield* AuditLog

    /** Creates the tenant and its age key pair; the secret key is stored only sealed. */
    const create = (name: string) =>
      Effect.gen(function*() {
        const id = randomUUID()
        const identity = generateAgeIdentity()
        const sealed = sealer.seal(Redacted.make(identity.secretKey), sealContext(SealedColumns.tenantSecretKey, id))
        const rows = yield* sql<TenantRow>`
          INSERT INTO tenants (id, name, age_public_key, age_secret_key_sealed)
          VALUES (${id}, ${name}, ${identity.publicKey}, ${sealed})
          ON CONFLICT (name) DO NOTHING
          RETURNING id, name, age_public_key, created_at`
        const row = rows[0]
        if (!row) return yield* new Conflict({ message: `a tenant named '${name}' already exists` })
        yield* audit.record({ action: "tenant.create", resourceType: "tenant", resourceId: id, tenantId: id })
        return toTenant(row)
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    const list = (only: TenantId | undefined) =>
      sql<TenantRow>`
        SELECT id, name, age_public_key, created_at FROM tenants
        WHERE ${only === undefined ? sql`true` : sql`id = ${only}`}
        ORDER BY name`.pipe(Effect.map((rows) => rows.map(toTenant)), Effect.orDie)

    const find = (id: TenantId) =>
      sql<TenantRow>`SELECT id, name, age_public_key, created_at FROM tenants WHERE id = ${id}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]).pipe(Option.map(toTenant))),
        Effect.orDie
      )

    const get = (id: TenantId) =>
      Effect.flatMap(find(id), Option.match({ onNone: () => Effect.fail(tenantNotFound(id)), onSome: Effect.succeed }))

    /** Disaster recovery: opens the sealed secret key for an admin, and leaves a trace in the audit log. */
    const exportSecretKey = (id: TenantId) =>
      Effect.gen(function*() {
        const rows = yield* sql<{ age_secret_key_sealed: Uint8Array }>`
          SELECT age_secret_key_sealed FROM tenants WHERE id = ${id}`
        const row = rows[0]
        if (!row) return yield* tenantNotFound(id)
        const secretKey = yield* sealer.open(row.age_secret_key_sealed, sealContext(SealedColumns.tenantSecretKey, id))
        yield* audit.record({ action: "tenant.key_export", resourceType: "tenant", resourceId: id, tenantId: id })
        return { tenantId: id, secretKey }
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die), Effect.catchTag("SealedSecretUnreadable", Effect.die))

    return { create, list, get, exportSecretKey } as const
  })
}) {}
