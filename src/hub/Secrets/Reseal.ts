import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { SealedSecretUnreadable } from "../../shared/crypto/SealedSecret.js"
import { sealContext, SealedColumns } from "./SealedColumns.js"
import { Sealer } from "./Sealer.js"

export interface ResealReport {
  readonly kekVersion: number
  readonly resealed: Record<string, number>
}

const BATCH = 200

/**
 * Re-seals every secret not sealed under the current KEK, in small transactions so the Hub
 * keeps serving. Idempotent: a second run finds nothing to do. Fails, changing nothing more,
 * on a secret no configured key opens (a previous key missing from HUB_ENCRYPTION_KEK_PREVIOUS).
 */
export const resealAll = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const current = sealer.currentVersion
  const resealed: Record<string, number> = {}
  for (const place of Object.values(SealedColumns)) {
    const { table, column } = place
    let count = 0
    for (;;) {
      const done = yield* sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<{ id: string; sealed: Uint8Array }>`
          SELECT id, ${sql(column)} AS sealed FROM ${sql(table)}
          WHERE ${sql(column)} IS NOT NULL
            AND get_byte(${sql(column)}, 1) * 256 + get_byte(${sql(column)}, 2) <> ${current}
          ORDER BY id LIMIT ${BATCH} FOR UPDATE`
        for (const row of rows) {
          const context = sealContext(place, row.id)
          const secret = yield* sealer.open(row.sealed, context).pipe(
            Effect.mapError((e) =>
              new SealedSecretUnreadable({
                reason: `${table}.${column} of row ${row.id}: ${e.reason}; is its key in HUB_ENCRYPTION_KEK_PREVIOUS?`
              })
            )
          )
          yield* sql`UPDATE ${sql(table)} SET ${sql(column)} = ${sealer.seal(secret, context)} WHERE id = ${row.id}`
        }
        count += rows.length
        return rows.length < BATCH
      }))
      if (done) break
    }
    resealed[`${table}.${column}`] = count
    if (count > 0) yield* Effect.logInfo(`re-sealed ${count} secrets in ${table}.${column} under KEK version ${current}`)
  }
  return { kekVersion: current, resealed } satisfies ResealReport
})
