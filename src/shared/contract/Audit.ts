import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { TenantId } from "./Ids.js"
import { PageLimit, PositiveIntFromString } from "./Paging.js"

export class AuditEntry extends Schema.Class<AuditEntry>("AuditEntry")({
  id: Schema.Int,
  at: Schema.DateTimeUtc,
  actorRole: Schema.Literal("admin", "tenant", "worker", "system"),
  actorSubject: Schema.String,
  tenantId: Schema.NullOr(Schema.String),
  action: Schema.String,
  resourceType: Schema.String,
  resourceId: Schema.NullOr(Schema.String),
  details: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

export const AuditQuery = Schema.Struct({
  tenantId: Schema.optional(TenantId),
  /** Default 100. */
  limit: Schema.optional(PageLimit),
  /** Cursor: only entries older than this id (the previous page's nextBefore). */
  before: Schema.optional(PositiveIntFromString.annotations({ message: () => "must be a positive integer (an entry id)" }))
})

export const AuditPage = Schema.Struct({
  entries: Schema.Array(AuditEntry),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: Schema.NullOr(Schema.Int)
})

/** Read-only view of who did what: admins see everything, a tenant sees its own entries. */
export class AuditGroup extends HttpApiGroup.make("audit")
  .add(HttpApiEndpoint.get("list", "/audit-log").setUrlParams(AuditQuery).addSuccess(AuditPage).addError(NotFoundWire))
  .middleware(Authentication)
  .prefix("/v1")
{}
