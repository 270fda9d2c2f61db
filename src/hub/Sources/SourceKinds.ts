import { Schema } from "effect"
import type { SourceId, TenantId } from "../../shared/contract/Ids.js"
import type { SourceCredentials } from "../../shared/contract/SftpSource.js"
import { type CreateSource, type Source, type SourceKind, type SourceSpec, SftpSource } from "../../shared/contract/Sources.js"
import type { SourceRow } from "./SourceRow.js"

/** What a create request stores, whatever its kind. */
export interface StoredSource {
  /** `sources.spec`: the kind's own settings, never a secret. */
  readonly spec: Record<string, unknown>
  /** Sealed into credential_sealed (and passphrase_sealed); null for a kind without any. */
  readonly credentials: SourceCredentials | null
  /** A pinned server key, for kinds whose server has one. */
  readonly hostKey: string | null
  /** Added to the `source.create` audit entry: names, never secrets. */
  readonly audit: Record<string, unknown>
}

/** The fields every kind's Source has, read from its row. */
export interface SourceCommon {
  readonly id: SourceId
  readonly tenantId: TenantId
  readonly name: string
  readonly paths: ReadonlyArray<string>
  readonly excludes: ReadonlyArray<string>
  readonly lastVerifiedAt: SftpSource["lastVerifiedAt"]
  readonly createdAt: SftpSource["createdAt"]
}

/** How the Hub stores, shows and hands out one kind of source. */
export interface HubSourceKind<K extends SourceKind> {
  readonly store: (input: Extract<CreateSource, { readonly kind?: K | undefined }>) => StoredSource
  readonly view: (common: SourceCommon, row: SourceRow) => Extract<Source, { readonly kind: K }>
  /** What a worker gets in a claim; `credentials` are the opened sealed columns. */
  readonly spec: (row: SourceRow, credentials: SourceCredentials | null) => Extract<SourceSpec, { readonly kind: K }>
}

const SftpStored = Schema.Struct({ host: Schema.String, port: Schema.Int, username: Schema.String })
// The migration's CHECK guarantees the shape; a row that breaks it is a defect, not bad input.
const sftpStored = (row: SourceRow) => Schema.decodeUnknownSync(SftpStored)(row.spec)

const sftp: HubSourceKind<"sftp"> = {
  store: (input) => ({
    spec: { host: input.host, port: input.port, username: input.username },
    credentials: input.credentials,
    hostKey: input.hostKey ?? null,
    audit: { host: input.host }
  }),
  view: (common, row) =>
    new SftpSource({
      ...common,
      kind: "sftp",
      ...sftpStored(row),
      authMethod: row.auth_method === "password" ? "password" : "privateKey",
      hostKey: row.host_key_fingerprint
    }),
  spec: (row, credentials) => {
    if (credentials === null) throw new Error(`sftp source ${row.id} has no credentials`)
    return { kind: "sftp", ...sftpStored(row), credentials, hostKey: row.host_key_fingerprint }
  }
}

/** Every kind the Hub serves: a kind in the contract without an entry here does not compile. */
export const sourceKinds: { readonly [K in SourceKind]: HubSourceKind<K> } = { sftp }

/** The kind a create request is for: one without `kind` is sftp, as before there were kinds. */
export const kindOf = (input: CreateSource): SourceKind => input.kind ?? "sftp"

// The one place the correlation between a kind and its entry's types is asserted.
export const hubSourceKind = (kind: SourceKind) => sourceKinds[kind] as HubSourceKind<SourceKind>
