import { Context, Schema } from "effect"
import { TenantId, WorkerId } from "../contract/Ids.js"

export const Role = Schema.Literal("admin", "tenant", "worker")
export type Role = typeof Role.Type

/** The verified caller of a request, taken from its bearer token. */
export const Principal = Schema.Union(
  Schema.Struct({ role: Schema.Literal("admin"), subject: Schema.String }),
  Schema.Struct({ role: Schema.Literal("tenant"), subject: Schema.String, tenantId: TenantId }),
  Schema.Struct({ role: Schema.Literal("worker"), subject: Schema.String, workerId: WorkerId })
)
export type Principal = typeof Principal.Type

export class CurrentPrincipal extends Context.Tag("shared/CurrentPrincipal")<CurrentPrincipal, Principal>() {}
