import { randomBytes } from "node:crypto"
import { Effect } from "effect"
import pg from "pg"
import { adminDatabaseUrl, databaseUrlFor, templateDatabaseName } from "./env.js"

const adminQuery = (sql: string) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: adminDatabaseUrl })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  })

/**
 * A fresh database for one test file, cloned from the migrated template (or empty with
 * `{ migrated: false }`), dropped when the scope closes. Returns its URL.
 */
export const freshDatabase = (options: { readonly migrated?: boolean } = {}) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const name = `xvault_t_${randomBytes(6).toString("hex")}`
      const template = options.migrated === false ? undefined : templateDatabaseName()
      if (options.migrated !== false && template === undefined) {
        return yield* Effect.dieMessage("no template database: run the tests through vitest.config.ts")
      }
      yield* adminQuery(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`)
      return { name, url: databaseUrlFor(name) }
    }),
    ({ name }) => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  )
