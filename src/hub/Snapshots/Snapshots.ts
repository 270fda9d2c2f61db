import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { NotFound } from "../../shared/contract/ApiError.js"
import type { SnapshotId, SourceId } from "../../shared/contract/Ids.js"
import { snapshotColumns, type SnapshotRow, toSnapshot } from "./SnapshotRow.js"
import { keysetPage } from "../KeysetPage.js"

export const snapshotNotFound = (id: string) => new NotFound({ message: `snapshot ${id} not found` })

export class Snapshots extends Effect.Service<Snapshots>()("hub/Snapshots", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const columns = sql.literal(snapshotColumns)

    /** Newest first; keyset pagination on (created_at, id) so pages stay stable while backups land. */
    const listForSource = (
      sourceId: SourceId,
      page: { readonly limit: number; readonly before?: SnapshotId | undefined; readonly includeDeleted?: boolean | undefined }
    ) =>
      sql<SnapshotRow>`
        SELECT ${columns}
        FROM snapshots
        WHERE source_id = ${sourceId}
          AND ${page.includeDeleted === true ? sql`true` : sql`status <> 'deleted'`}
          AND ${page.before === undefined
            ? sql`true`
            : sql`(created_at, id) < (SELECT created_at, id FROM snapshots WHERE id = ${page.before})`}
        ORDER BY created_at DESC, id DESC
        LIMIT ${page.limit + 1}`.pipe(
        Effect.map((rows) => {
          const { items, nextBefore } = keysetPage(rows, page.limit, toSnapshot)
          return { snapshots: items, nextBefore }
        }),
        Effect.orDie
      )

    const get = (id: SnapshotId) =>
      sql<SnapshotRow>`SELECT ${columns} FROM snapshots WHERE id = ${id}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) => Option.match(Option.fromNullable(rows[0]), {
          onNone: () => Effect.fail(snapshotNotFound(id)),
          onSome: (row) => Effect.succeed(toSnapshot(row))
        }))
      )

    return { listForSource, get } as const
  })
}) {}
