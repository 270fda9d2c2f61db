import type { SealContext } from "../../shared/crypto/SealedSecret.js"

/**
 * Every column that holds a sealed secret. Sealing, opening and KEK rotation all read this
 * one list, so a new sealed column is re-sealed by `secrets reseal` as soon as it is used.
 */
export const SealedColumns = {
  tenantSecretKey: { table: "tenants", column: "age_secret_key_sealed" },
  sourceCredential: { table: "sources", column: "credential_sealed" },
  sourcePassphrase: { table: "sources", column: "passphrase_sealed" },
  webhookSecret: { table: "webhooks", column: "secret_sealed" }
} as const

export type SealedColumn = (typeof SealedColumns)[keyof typeof SealedColumns]

/** A blob is bound to its table, row and column: copied anywhere else it does not open. */
export const sealContext = (column: SealedColumn, rowId: string): SealContext => ({ ...column, rowId })
