import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { SourceId, TenantId } from "./Ids.js"

const bounded = (max: number, what: string) =>
  Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max)).annotations({
    message: () => `must be ${what} of 1-${max} characters`
  })

export const SourceName = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/)).annotations({
  message: () => "must be 1-63 characters of letters, digits, '.', '_' or '-'"
})
export const Hostname = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9.:_-]{1,253}$/)).annotations({
  message: () => "must be a host name or IP address"
})
export const Port = Schema.Int.pipe(Schema.between(1, 65535)).annotations({
  message: () => "must be an integer from 1 to 65535"
})
export const Username = Schema.String.pipe(Schema.pattern(/^[^\s:/\\]{1,64}$/)).annotations({
  message: () => "must be 1-64 characters without spaces, ':', '/' or '\\'"
})
export const AbsolutePath = Schema.String.pipe(Schema.pattern(/^\/[^\0]{0,4095}$/)).annotations({
  message: () => "must be an absolute path (starting with '/')"
})
export const HostKeyFingerprint = Schema.String.pipe(Schema.pattern(/^SHA256:[A-Za-z0-9+/]{43}$/)).annotations({
  message: () => "must be an OpenSSH SHA256 fingerprint like SHA256:<43 base64 characters>"
})

/** Write-only: credentials are accepted here and never returned by any endpoint. */
export const SourceCredentials = Schema.Union(
  Schema.TaggedStruct("password", { password: Schema.Redacted(bounded(1024, "a password")) }),
  Schema.TaggedStruct("privateKey", {
    privateKey: Schema.Redacted(bounded(16384, "an OpenSSH or PEM private key")),
    passphrase: Schema.optional(Schema.Redacted(bounded(1024, "a passphrase")))
  })
)
export type SourceCredentials = typeof SourceCredentials.Type

export const CreateSource = Schema.Struct({
  name: SourceName,
  host: Hostname,
  port: Schema.optionalWith(Port, { default: () => 22 }),
  username: Username,
  credentials: SourceCredentials,
  paths: Schema.Array(AbsolutePath).pipe(Schema.minItems(1), Schema.maxItems(64)),
  excludes: Schema.optionalWith(Schema.Array(bounded(1024, "a glob")).pipe(Schema.maxItems(256)), {
    default: () => []
  }),
  hostKey: Schema.optional(HostKeyFingerprint)
})
export type CreateSource = typeof CreateSource.Type

export class Source extends Schema.Class<Source>("Source")({
  id: SourceId,
  tenantId: TenantId,
  name: Schema.String,
  kind: Schema.Literal("sftp"),
  host: Schema.String,
  port: Schema.Int,
  username: Schema.String,
  authMethod: Schema.Literal("password", "privateKey"),
  paths: Schema.Array(Schema.String),
  excludes: Schema.Array(Schema.String),
  /** Pinned by the operator, or recorded on first successful connection (trust on first use). */
  hostKey: Schema.NullOr(Schema.String),
  /** When one of its snapshots was last verified (by request or by its schedule's --verify-every). */
  lastVerifiedAt: Schema.NullOr(Schema.DateTimeUtc),
  createdAt: Schema.DateTimeUtc
}) {}

export class SourcesGroup extends HttpApiGroup.make("sources")
  .add(
    HttpApiEndpoint.post("create", "/tenants/:tenantId/sources")
      .setPath(Schema.Struct({ tenantId: TenantId }))
      .setPayload(CreateSource)
      .addSuccess(Source, { status: 201 })
      .addError(NotFoundWire)
      .addError(ConflictWire)
  )
  .add(
    HttpApiEndpoint.get("list", "/tenants/:tenantId/sources")
      .setPath(Schema.Struct({ tenantId: TenantId }))
      .addSuccess(Schema.Array(Source))
      .addError(NotFoundWire)
  )
  .add(
    HttpApiEndpoint.get("get", "/sources/:id")
      .setPath(Schema.Struct({ id: SourceId }))
      .addSuccess(Source)
      .addError(NotFoundWire)
  )
  .middleware(Authentication)
  .prefix("/v1")
{}
