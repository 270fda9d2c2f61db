import { DateTime } from "effect"
import type { AuditEntry } from "../shared/contract/Audit.js"
import type { Source } from "../shared/contract/Sources.js"
import type { Tenant } from "../shared/contract/Tenants.js"

/** The stable --json shape of a source (camelCase; credentials are never part of it). */
export const sourceJson = (s: Source) => ({
  id: s.id,
  tenantId: s.tenantId,
  name: s.name,
  kind: s.kind,
  host: s.host,
  port: s.port,
  username: s.username,
  authMethod: s.authMethod,
  paths: s.paths,
  excludes: s.excludes,
  hostKey: s.hostKey,
  createdAt: DateTime.formatIso(s.createdAt)
})

/** The stable --json shape of a tenant. */
export const tenantJson = (t: Tenant) => ({
  id: t.id,
  name: t.name,
  publicKey: t.publicKey,
  createdAt: DateTime.formatIso(t.createdAt)
})

/** The stable --json shape of an audit log entry. */
export const auditEntryJson = (e: AuditEntry) => ({
  id: e.id,
  at: DateTime.formatIso(e.at),
  actorRole: e.actorRole,
  actorSubject: e.actorSubject,
  tenantId: e.tenantId,
  action: e.action,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  details: e.details
})
