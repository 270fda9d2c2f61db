import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option } from "effect"
import { CurrentPrincipal } from "../../shared/auth/Principal.js"
import { AuditEntry } from "../../shared/contract/Audit.js"
import { keysetPage } from "../KeysetPage.js"

export interface AuditRecord {
  readonly action: string
  readonly resourceType: string
  readonly resourceId: string
  readonly tenantId: string | null
  /** Names, ids and flags only: never a secret. */
  readonly details?: Record<string, unknown>
}

interface AuditRow {
  readonly id: string
  readonly at: Date
  readonly actor_role: AuditEntry["actorRole"]
  readonly actor_subject: string
  readonly tenant_id: string | null
  readonly action: string
  readonly resource_type: string
  readonly resource_id: string | null
  readonly details: Record<string, unknown>
}

const toEntry = (row: AuditRow) =>
  new AuditEntry({
    id: Number(row.id),
    at: DateTime.unsafeFromDate(row.at),
    actorRole: row.actor_role,
    actorSubject: row.actor_subject,
    tenantId: row.tenant_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    details: row.details
  })

/** Who did what, when. Call it inside the mutation's transaction so both commit or neither. */
export class AuditLog extends Effect.Service<AuditLog>()("hub/AuditLog", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    /** Outside a request (the scheduler, retention after a backup) the actor is the Hub itself. */
    const record = (entry: AuditRecord) =>
      Effect.flatMap(Effect.serviceOption(CurrentPrincipal), (principal) => {
        const actor = Option.getOrElse(principal, () => ({ role: "system" as const, subject: "hub" }))
        return sql`INSERT INTO audit_log (actor_role, actor_subject, tenant_id, action, resource_type, resource_id, details)
            VALUES (${actor.role}, ${actor.subject}, ${entry.tenantId}, ${entry.action}, ${entry.resourceType},
                    ${entry.resourceId}, ${JSON.stringify(entry.details ?? {})}::jsonb)`
      })

    /** Newest first; keyset pagination on id so pages stay stable while entries are added. */
    const list = (query: { readonly tenantId?: string | undefined; readonly limit: number; readonly before?: number | undefined }) =>
      sql<AuditRow>`
        SELECT id, at, actor_role, actor_subject, tenant_id, action, resource_type, resource_id, details
        FROM audit_log
        WHERE ${query.tenantId === undefined ? sql`true` : sql`tenant_id = ${query.tenantId}`}
          AND ${query.before === undefined ? sql`true` : sql`id < ${query.before}`}
        ORDER BY id DESC
        LIMIT ${query.limit + 1}`.pipe(
        Effect.map((rows) => {
          const { items, nextBefore } = keysetPage(rows, query.limit, toEntry)
          return { entries: items, nextBefore }
        }),
        Effect.orDie
      )

    return { record, list } as const
  })
}) {}
