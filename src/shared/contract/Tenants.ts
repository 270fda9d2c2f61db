import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { TenantId } from "./Ids.js"

export const TenantName = Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9-]{0,62}$/)).annotations({
  message: () => "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"
})

export class Tenant extends Schema.Class<Tenant>("Tenant")({
  id: TenantId,
  name: Schema.String,
  /** age X25519 recipient (`age1…`): backups of this tenant are encrypted to it. */
  publicKey: Schema.String,
  createdAt: Schema.DateTimeUtc
}) {}

/** For disaster recovery: with it, `age -d -i` opens this tenant's artifacts without xVault. */
export const TenantSecretKey = Schema.Struct({
  tenantId: TenantId,
  secretKey: Schema.Redacted(Schema.String)
})

export const CreateTenant = Schema.Struct({ name: TenantName })

export class TenantsGroup extends HttpApiGroup.make("tenants")
  .add(
    HttpApiEndpoint.post("create", "/tenants")
      .setPayload(CreateTenant)
      .addSuccess(Tenant, { status: 201 })
      .addError(ConflictWire)
  )
  .add(HttpApiEndpoint.get("list", "/tenants").addSuccess(Schema.Array(Tenant)))
  .add(
    HttpApiEndpoint.get("get", "/tenants/:id")
      .setPath(Schema.Struct({ id: TenantId }))
      .addSuccess(Tenant)
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.post("exportKey", "/tenants/:id/key/export")
      .setPath(Schema.Struct({ id: TenantId }))
      .addSuccess(TenantSecretKey)
      .addError(NotFoundWire)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
