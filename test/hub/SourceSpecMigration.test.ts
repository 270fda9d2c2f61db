import { DateTime, Effect, Exit, Scope } from "effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadMigrations } from "../../src/hub/Migrator.js"
import { hubSourceKind } from "../../src/hub/Sources/SourceKinds.js"
import type { SourceRow } from "../../src/hub/Sources/SourceRow.js"
import type { SourceId, TenantId } from "../../src/shared/contract/Ids.js"
import { freshDatabase } from "../support/Database.js"

const scope = Effect.runSync(Scope.make())
let client: pg.Client

const tenant = "00000000-0000-4000-8000-000000000001"
const withPassword = "00000000-0000-4000-8000-000000000002"
const withKey = "00000000-0000-4000-8000-000000000003"

/** The way an existing installation upgrades: rows written under 0003, then 0004 applied. */
beforeAll(async () => {
  const db = await Effect.runPromise(Scope.extend(freshDatabase({ migrated: false }), scope))
  client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const migrations = await Effect.runPromise(loadMigrations())
  for (const m of migrations.filter((m) => m.id < 4)) await client.query(m.sql)
  await client.query(`INSERT INTO tenants (id, name, age_public_key, age_secret_key_sealed) VALUES ($1, 't', 'age1x', '\\x00')`, [tenant])
  await client.query(
    `INSERT INTO sources (id, tenant_id, name, host, port, username, auth_method, credential_sealed, passphrase_sealed, paths, excludes,
                          host_key_fingerprint, host_key_pinned)
     VALUES ($1, $3, 'web', 'web1.example.com', 2222, 'backup', 'password', '\\x0102', NULL, '{/srv,/etc}', '{*.tmp}', NULL, false),
            ($2, $3, 'db', '10.0.0.5', 22, 'root', 'private_key', '\\x0304', '\\x05', '{/var/lib}', '{}', $4, true)`,
    [withPassword, withKey, tenant, `SHA256:${"A".repeat(43)}`]
  )
  const spec = migrations.find((m) => m.id === 4)
  expect(spec?.name).toBe("source_spec")
  await client.query(spec!.sql)
}, 60_000)

afterAll(async () => {
  await client?.end()
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

describe("migration 0004_source_spec", () => {
  it("moves every existing source's host, port and login into spec, and keeps the rest as it was", async () => {
    const { rows } = await client.query(
      `SELECT id, kind, spec, auth_method, encode(credential_sealed, 'hex') AS credential, encode(passphrase_sealed, 'hex') AS passphrase,
              paths, excludes, host_key_fingerprint, host_key_pinned FROM sources ORDER BY id`
    )
    expect(rows).toEqual([
      {
        id: withPassword, kind: "sftp", spec: { host: "web1.example.com", port: 2222, username: "backup" }, auth_method: "password",
        credential: "0102", passphrase: null, paths: ["/srv", "/etc"], excludes: ["*.tmp"], host_key_fingerprint: null, host_key_pinned: false
      },
      {
        id: withKey, kind: "sftp", spec: { host: "10.0.0.5", port: 22, username: "root" }, auth_method: "private_key",
        credential: "0304", passphrase: "05", paths: ["/var/lib"], excludes: [], host_key_fingerprint: `SHA256:${"A".repeat(43)}`,
        host_key_pinned: true
      }
    ])
    const columns = await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'sources'`)
    expect(columns.rows.map((r) => r.column_name)).not.toContain("host")
  })

  it("the Hub shows a migrated row as the same source it was", async () => {
    const { rows } = await client.query<SourceRow>(`SELECT * FROM sources WHERE id = $1`, [withKey])
    const row = rows[0]!
    const common = { id: row.id as SourceId, tenantId: row.tenant_id as TenantId, name: row.name, paths: row.paths, excludes: row.excludes, lastVerifiedAt: null }
    const source = hubSourceKind(row.kind).view({ ...common, createdAt: DateTime.unsafeFromDate(row.created_at) }, row)
    expect(source).toMatchObject({ kind: "sftp", host: "10.0.0.5", port: 22, username: "root", authMethod: "privateKey" })
  })

  it("an sftp row must still have a host, a valid port, a login and credentials", async () => {
    const insert = (spec: unknown, credential: string | null) =>
      client.query(
        `INSERT INTO sources (id, tenant_id, name, kind, spec, auth_method, credential_sealed, paths)
         VALUES (gen_random_uuid(), $1, 'x' || floor(random() * 1e9)::text, 'sftp', $2, $3, $4, '{/srv}')`,
        [tenant, JSON.stringify(spec), credential === null ? null : "password", credential === null ? null : "\\x01"]
      )
    const good = { host: "h", port: 22, username: "u" }
    await expect(insert(good, "01")).resolves.toBeDefined()
    for (const spec of [{ port: 22, username: "u" }, { ...good, port: 0 }, { ...good, port: "22" }, { host: "h", port: 22 }]) {
      await expect(insert(spec, "01"), JSON.stringify(spec)).rejects.toThrow(/sources_sftp_spec/)
    }
    await expect(insert(good, null)).rejects.toThrow(/sources_sftp_spec/)
    await expect(client.query(`UPDATE sources SET kind = 'local' WHERE id = $1`, [withPassword])).rejects.toThrow(/sources_kind_check/)
  })
})
