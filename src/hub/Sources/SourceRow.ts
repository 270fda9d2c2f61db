import type { SourceKind } from "../../shared/contract/Sources.js"

/** A `sources` row as the Hub reads it, sealed columns aside. */
export interface SourceRow {
  readonly id: string
  readonly tenant_id: string
  readonly name: string
  readonly kind: SourceKind
  /** The kind's own settings (jsonb, never a secret); SourceKinds knows each kind's shape. */
  readonly spec: unknown
  /** null for a kind without credentials. */
  readonly auth_method: "password" | "private_key" | null
  readonly paths: ReadonlyArray<string>
  readonly excludes: ReadonlyArray<string>
  readonly host_key_fingerprint: string | null
  /** The newest verification of one of its snapshots (a subquery, not a column). */
  readonly last_verified_at: Date | null
  readonly created_at: Date
}
