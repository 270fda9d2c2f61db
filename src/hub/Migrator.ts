import { readdir, readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** `migrations/` ships beside `src/` and `dist/`, so the same relative path works for both. */
const migrationsDir = fileURLToPath(new URL("../../migrations/", import.meta.url))
const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/

export interface Migration {
  readonly id: number
  readonly name: string
  readonly sql: string
}

export const loadMigrations = (dir = migrationsDir): Effect.Effect<ReadonlyArray<Migration>> =>
  Effect.promise(async () => {
    const files = (await readdir(dir)).filter((f) => fileName.test(f)).sort()
    return Promise.all(files.map(async (file) => {
      const [, id, name] = fileName.exec(file)!
      return { id: Number(id), name: name!, sql: await readFile(`${dir}/${file}`, "utf8") }
    }))
  })

const migrationLabel = (m: Migration) => `${String(m.id).padStart(4, "0")}_${m.name}`

/** Any 64-bit constant will do; it only has to be the same in every xVault process. */
const MIGRATION_LOCK = 7_305_170_001

/**
 * Applies pending migrations in one transaction under an advisory lock, so two processes
 * starting at once apply each migration exactly once and the loser waits, then sees them done.
 * Returns the migrations this call applied.
 */
export const migrate = Effect.fn("migrate")(function*(migrations?: ReadonlyArray<Migration>) {
  const sql = yield* SqlClient.SqlClient
  const all = migrations ?? (yield* loadMigrations())
  return yield* sql.withTransaction(Effect.gen(function*() {
    yield* sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`
    yield* sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`
    const done = new Set((yield* sql<{ id: number }>`SELECT id FROM schema_migrations`).map((r) => r.id))
    const pending = all.filter((m) => !done.has(m.id))
    for (const m of pending) {
      yield* sql.unsafe(m.sql)
      yield* sql`INSERT INTO schema_migrations (id, name) VALUES (${m.id}, ${m.name})`
      yield* Effect.logInfo(`applied migration ${migrationLabel(m)}`)
    }
    return pending.map(migrationLabel)
  }))
})
