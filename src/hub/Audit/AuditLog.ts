import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CurrentPrincipal } from "../../shared/auth/Principal.js"

export interface AuditEntry {
  readonly action: string
  readonly resourceType: string
  readonly resourceId: string
  readonly tenantId: string | null
  /** Names, ids and flags only: never a secret. */
  readonly details?: Record<string, unknown>
}

/** Who did what, when. Call it inside the mutation's transaction so both commit or neither. */
export class AuditLog extends Effect.Service<AuditLog>()("hub/AuditLog", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const record = (entry: AuditEntry) =>
      Effect.flatMap(CurrentPrincipal, (actor) =>
        sql`INSERT INTO audit_log (actor_role, actor_subject, tenant_id, action, resource_type, resource_id, details)
            VALUES (${actor.role}, ${actor.subject}, ${entry.tenantId}, ${entry.action}, ${entry.resourceType},
                    ${entry.resourceId}, ${JSON.stringify(entry.details ?? {})}::jsonb)`)
    return { record } as const
  })
}) {}
