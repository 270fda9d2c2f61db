import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { JobId, SourceId, TenantId } from "../../shared/contract/Ids.js"
import { jobColumns, type JobRow, toJob } from "../Jobs/JobRow.js"
import { keysetPage } from "../KeysetPage.js"

/** Restores are jobs of type `restore`; this lists them newest first, in keyset pages. */
export class Restores extends Effect.Service<Restores>()("hub/Restores", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const columns = sql.literal(jobColumns)

    const list = (filter: {
      readonly tenantId: TenantId | undefined
      readonly sourceId: SourceId | undefined
      readonly limit: number
      readonly before: JobId | undefined
    }) =>
      sql<JobRow>`
        SELECT ${columns} FROM jobs
        WHERE type = 'restore'
          AND ${filter.tenantId === undefined ? sql`true` : sql`tenant_id = ${filter.tenantId}`}
          AND ${filter.sourceId === undefined ? sql`true` : sql`source_id = ${filter.sourceId}`}
          AND ${filter.before === undefined
            ? sql`true`
            : sql`(created_at, id) < (SELECT created_at, id FROM jobs WHERE id = ${filter.before})`}
        ORDER BY created_at DESC, id DESC
        LIMIT ${filter.limit + 1}`.pipe(
        Effect.map((rows) => {
          const { items, nextBefore } = keysetPage(rows, filter.limit, toJob)
          return { restores: items, nextBefore }
        }),
        Effect.orDie
      )

    return { list } as const
  })
}) {}
