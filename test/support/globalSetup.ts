import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { adminDatabaseUrl, databaseUrlFor } from "./env.js"

/**
 * Once per run: build dist/ (the CLI tests run the real executable) and migrate a template
 * database that every test file clones, so each file gets a fresh, fully migrated database fast.
 */
export default async function setup() {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" })
  const template = `xvault_tmpl_${randomBytes(4).toString("hex")}`
  const admin = new pg.Client({ connectionString: adminDatabaseUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${template}`)
  execFileSync(process.execPath, ["bin/run.js", "migrate"], {
    env: { ...process.env, DATABASE_URL: databaseUrlFor(template) },
    stdio: ["ignore", "ignore", "inherit"]
  })
  process.env["XVAULT_TEST_TEMPLATE_DB"] = template
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`)
    await admin.end()
  }
}
