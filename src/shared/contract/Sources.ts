import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { ConflictWire, NotFoundWire } from "./ApiError.js"
import { Authentication } from "./Authentication.js"
import { bounded } from "./bounded.js"
import { SourceId, TenantId } from "./Ids.js"
import { CreateSftpFields, SftpSourceFields, SftpSpec } from "./SftpSource.js"

export const SourceName = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/)).annotations({
  message: () => "must be 1-63 characters of letters, digits, '.', '_' or '-'"
})
export const AbsolutePath = Schema.String.pipe(Schema.pattern(/^\/[^\0]{0,4095}$/)).annotations({
  message: () => "must be an absolute path (starting with '/')"
})

/**
 * Every kind of source this build knows. A new kind is added here and to the three unions
 * below (with its own file beside SftpSource.ts); the compiler then lists what else must
 * learn it: the Hub's source service and the worker's dispatch (docs/architecture.md).
 */
export const SourceKind = Schema.Literal("sftp")
export type SourceKind = typeof SourceKind.Type

/** What every kind of source has: a name and the paths to back up. */
const CreateCommon = {
  paths: Schema.Array(AbsolutePath).pipe(Schema.minItems(1), Schema.maxItems(64)),
  excludes: Schema.optionalWith(Schema.Array(bounded(1024, "a glob")).pipe(Schema.maxItems(256)), {
    default: () => []
  })
}

/** `kind` tells the members apart; a request without one is an sftp source. */
export const CreateSource = Schema.Union(
  Schema.Struct({ name: SourceName, ...CreateSftpFields, ...CreateCommon })
)
export type CreateSource = typeof CreateSource.Type

const SourceCommon = {
  id: SourceId,
  tenantId: TenantId,
  name: Schema.String,
  paths: Schema.Array(Schema.String),
  excludes: Schema.Array(Schema.String),
  /** When one of its snapshots was last verified (by request or by its schedule's --verify-every). */
  lastVerifiedAt: Schema.NullOr(Schema.DateTimeUtc),
  createdAt: Schema.DateTimeUtc
}

export class SftpSource extends Schema.Class<SftpSource>("SftpSource")({ ...SourceCommon, ...SftpSourceFields }) {}

/** A source as the API shows it: the common fields and its kind's own (never credentials). */
export const Source = Schema.Union(SftpSource)
export type Source = typeof Source.Type

/** Where a source is, in one line for people: `backup@web1.example.com:22` for sftp. */
export const sourceTarget = (source: Source): string => {
  switch (source.kind) {
    case "sftp":
      return `${source.username}@${source.host}:${source.port}`
  }
}

/** Where a source is and how to reach it, credentials opened: what a worker gets in a claim, by kind. */
export const SourceSpec = Schema.Union(SftpSpec)
export type SourceSpec = typeof SourceSpec.Type

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Agree<T extends true> = T
/** Does not compile while one of the unions above lacks a kind of SourceKind, or has one it does not list. */
export type SourceKindsAgree = Agree<
  [Same<SourceKind, Source["kind"]>, Same<SourceKind, SourceSpec["kind"]>, Same<SourceKind, NonNullable<CreateSource["kind"]>>] extends
    [true, true, true] ? true : false
>

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
