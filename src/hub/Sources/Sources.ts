import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option } from "effect"
import { Conflict, NotFound } from "../../shared/contract/ApiError.js"
import type { SourceId, TenantId } from "../../shared/contract/Ids.js"
import type { CreateSource } from "../../shared/contract/Sources.js"
import { AuditLog } from "../Audit/AuditLog.js"
import { sealContext, SealedColumns } from "../Secrets/SealedColumns.js"
import { Sealer } from "../Secrets/Sealer.js"
import { tenantNotFound } from "../Tenants/Tenants.js"
import { hubSourceKind, kindOf } from "./SourceKinds.js"
import type { SourceRow } from "./SourceRow.js"

const toSource = (row: SourceRow) =>
  hubSourceKind(row.kind).view({
    id: row.id as SourceId,
    tenantId: row.tenant_id as TenantId,
    name: row.name,
    paths: row.paths,
    excludes: row.excludes,
    lastVerifiedAt: row.last_verified_at === null ? null : DateTime.unsafeFromDate(row.last_verified_at),
    createdAt: DateTime.unsafeFromDate(row.created_at)
  }, row)

export const sourceNotFound = (id: string) => new NotFound({ message: `source ${id} not found` })

export class Sources extends Effect.Service<Sources>()("hub/Sources", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sealer = yield* Sealer
    const audit = yield* AuditLog
    const textArray = (items: ReadonlyArray<string>) =>
      sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(items)}::jsonb))`
    const columns = sql`id, tenant_id, name, kind, spec, auth_method, paths, excludes, host_key_fingerprint, created_at,
                        (SELECT max(sn.verified_at) FROM snapshots sn
                         WHERE sn.source_id = sources.id AND sn.status <> 'deleted') AS last_verified_at`

    /** Stores the source with its credentials sealed; nothing secret is ever read back out. */
    const create = (tenantId: TenantId, input: CreateSource) =>
      Effect.gen(function*() {
        const tenant = yield* sql`SELECT 1 FROM tenants WHERE id = ${tenantId} FOR SHARE`
        if (tenant.length === 0) return yield* tenantNotFound(tenantId)
        const id = randomUUID()
        const kind = kindOf(input)
        const stored = hubSourceKind(kind).store(input)
        const creds = stored.credentials
        const credential = creds === null
          ? null
          : sealer.seal(creds._tag === "password" ? creds.password : creds.privateKey, sealContext(SealedColumns.sourceCredential, id))
        const passphrase = creds?._tag === "privateKey" && creds.passphrase
          ? sealer.seal(creds.passphrase, sealContext(SealedColumns.sourcePassphrase, id))
          : null
        const authMethod = creds === null ? null : creds._tag === "password" ? "password" : "private_key"
        const rows = yield* sql<SourceRow>`
          INSERT INTO sources (id, tenant_id, name, kind, spec, auth_method, credential_sealed, passphrase_sealed,
                               paths, excludes, host_key_fingerprint, host_key_pinned)
          VALUES (${id}, ${tenantId}, ${input.name}, ${kind}, ${JSON.stringify(stored.spec)}::jsonb, ${authMethod},
                  ${credential}, ${passphrase}, ${textArray(input.paths)}, ${textArray(input.excludes)},
                  ${stored.hostKey}, ${stored.hostKey !== null})
          ON CONFLICT (tenant_id, name) DO NOTHING
          RETURNING ${columns}`
        const row = rows[0]
        if (!row) return yield* new Conflict({ message: `this tenant already has a source named '${input.name}'` })
        yield* audit.record({
          action: "source.create",
          resourceType: "source",
          resourceId: id,
          tenantId,
          details: { name: input.name, kind, ...stored.audit, ...(creds === null ? {} : { authMethod: creds._tag }) }
        })
        return toSource(row)
      }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

    const list = (tenantId: TenantId) =>
      Effect.gen(function*() {
        const tenant = yield* sql`SELECT 1 FROM tenants WHERE id = ${tenantId}`
        if (tenant.length === 0) return yield* tenantNotFound(tenantId)
        const rows = yield* sql<SourceRow>`SELECT ${columns} FROM sources WHERE tenant_id = ${tenantId} ORDER BY name`
        return rows.map(toSource)
      }).pipe(Effect.catchTag("SqlError", Effect.die))

    const find = (id: SourceId) =>
      sql<SourceRow>`SELECT ${columns} FROM sources WHERE id = ${id}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]).pipe(Option.map(toSource))),
        Effect.orDie
      )

    const get = (id: SourceId) =>
      Effect.flatMap(find(id), Option.match({ onNone: () => Effect.fail(sourceNotFound(id)), onSome: Effect.succeed }))

    return { create, list, find, get } as const
  })
}) {}
