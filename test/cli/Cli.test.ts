import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Exit, Scope } from "effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sealContext, SealedColumns } from "../../src/hub/Secrets/SealedColumns.js"
import { keyringOf, openString } from "../../src/shared/crypto/SealedSecret.js"
import { freshDatabase } from "../support/Database.js"
import { hubRoutes } from "../support/routes.js"
import { testJwtSecret, testKekBase64 } from "../support/env.js"
import { type CliResult, type HubProcess, pgDump, repoRoot, runCli, startHub } from "../support/HubProcess.js"

// The CLI as an operator runs it: real `node bin/run.js` processes with a clean environment,
// one real Hub process for the file, real PostgreSQL and Redis. No mocks.

const fileScope = Effect.runSync(Scope.make())
const inFileScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(effect, fileScope))

let hub: HubProcess
let adminToken: string
let tempDir: string

/** Every CLI result of this file, so no secret can hide in any command's output. */
const outputs: Array<CliResult> = []

const xvault = async (args: ReadonlyArray<string>, opts: { env?: Record<string, string>; stdin?: string } = {}) => {
  const result = await runCli(args, opts)
  outputs.push(result)
  return result
}

/** A command against the file's Hub, with XVAULT_TOKEN set when a token is given. */
const atHub = (args: ReadonlyArray<string>, options: { token?: string; stdin?: string } = {}) =>
  xvault(args, {
    env: { HUB_BASE_URL: hub.baseUrl, ...(options.token !== undefined ? { XVAULT_TOKEN: options.token } : {}) },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {})
  })

const asAdmin = (args: ReadonlyArray<string>, stdin?: string) =>
  atHub(args, { token: adminToken, ...(stdin !== undefined ? { stdin } : {}) })

const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`

const query = async <Row extends object>(databaseUrl: string, sql: string, params: Array<unknown> = []) => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query<Row>(sql, params)).rows
  } finally {
    await client.end()
  }
}

/** Setup that is not under test goes straight to the API. */
const createTenantViaApi = async (name: string): Promise<{ id: string; name: string }> => {
  const response = await fetch(`${hub.baseUrl}/v1/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name })
  })
  expect(response.status).toBe(201)
  return (await response.json()) as { id: string; name: string }
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "")

/** The forms a leaked secret would take in a dump: as text, as bytea hex, as base64. */
const leakForms = (secret: string) => [
  secret,
  Buffer.from(secret, "utf8").toString("hex"),
  Buffer.from(secret, "utf8").toString("base64")
]

const allMigrations = fs.readdirSync(path.join(repoRoot, "migrations"))
  .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
  .sort()
  .map((f) => f.replace(/\.sql$/, ""))

beforeAll(async () => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "xvault-cli-"))
  const [started, token] = await Promise.all([
    inFileScope(startHub()),
    xvault(["token", "create", "--role", "admin", "--ttl", "1h"], { env: { HUB_JWT_SECRET: testJwtSecret } })
  ])
  hub = started
  expect(token.code).toBe(0)
  adminToken = token.stdout.trim()
})

afterAll(async () => {
  // Stops the Hub (SIGTERM, SIGKILL after 5 s) and drops every database this file created.
  await Effect.runPromise(Scope.close(fileScope, Exit.void))
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true })
})

describe("xvault migrate", () => {
  it("applies every migration to an empty database, then nothing on a second run", async () => {
    expect(allMigrations).toContain("0001_init")
    const db = await inFileScope(freshDatabase({ migrated: false }))
    const first = await xvault(["migrate", "--json"], { env: { DATABASE_URL: db.url, XVAULT_LOG_FORMAT: "json" } })
    expect(first.code, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toEqual({ applied: allMigrations })
    // logs stay off stdout, and with XVAULT_LOG_FORMAT=json each line is one JSON object
    const logged = lines(first.stderr).map((l) => JSON.parse(l) as { message: string; logLevel: string })
    expect(logged.map((l) => l.message)).toEqual(allMigrations.map((m) => `applied migration ${m}`))
    const second = await xvault(["migrate", "--json"], { env: { DATABASE_URL: db.url } })
    expect(second.code, second.stderr).toBe(0)
    expect(JSON.parse(second.stdout)).toEqual({ applied: [] })
  })

  it("two processes started at once both succeed and each migration is applied exactly once", async () => {
    const db = await inFileScope(freshDatabase({ migrated: false }))
    const runs = await Promise.all([0, 1].map(() => xvault(["migrate", "--json"], { env: { DATABASE_URL: db.url } })))
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    const applied = runs.flatMap((r) => (JSON.parse(r.stdout) as { applied: Array<string> }).applied)
    expect(applied.sort()).toEqual(allMigrations)
    const rows = await query<{ id: number; name: string; n: string }>(
      db.url,
      "SELECT id, name, count(*) OVER (PARTITION BY id) AS n FROM schema_migrations ORDER BY id"
    )
    expect(rows.map((r) => `${String(r.id).padStart(4, "0")}_${r.name}`)).toEqual(allMigrations)
    expect(rows.every((r) => r.n === "1")).toBe(true)
  })

  it("reports an unreachable database in one line (6) and a missing or bad DATABASE_URL as configuration (78)", async () => {
    const [refused, unset, mysql] = await Promise.all([
      xvault(["migrate"], { env: { DATABASE_URL: "postgres://nope@127.0.0.1:1/x" } }),
      xvault(["migrate"]),
      xvault(["migrate"], { env: { DATABASE_URL: "mysql://u:hunter2@h/db" } })
    ])
    expect(refused.code).toBe(6)
    expect(lines(refused.stderr)).toHaveLength(1)
    expect(refused.stderr).toMatch(/ECONNREFUSED|connection refused/i)

    expect(unset.code).toBe(78)
    expect(unset.stderr).toContain("DATABASE_URL")

    expect(mysql.code).toBe(78)
    expect(mysql.stderr).toContain("DATABASE_URL")
    expect(mysql.stderr + mysql.stdout).not.toContain("hunter2")
  })
})

describe("xvault token create", () => {
  it("prints only a JWT, on one line", async () => {
    const result = await xvault(["token", "create", "--role", "admin"], { env: { HUB_JWT_SECRET: testJwtSecret } })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe("")
    expect(result.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/)
    const claims = JSON.parse(Buffer.from(result.stdout.split(".")[1]!, "base64url").toString("utf8")) as {
      role: string
    }
    expect(claims.role).toBe("admin")
  })

  it("refuses a missing secret (78) and bad flags (2)", async () => {
    const env = { HUB_JWT_SECRET: testJwtSecret }
    const [noSecret, noTenant, badTtl, badRole] = await Promise.all([
      xvault(["token", "create", "--role", "admin"]),
      xvault(["token", "create", "--role", "tenant"], { env }),
      xvault(["token", "create", "--role", "admin", "--ttl", "5x"], { env }),
      xvault(["token", "create", "--role", "root"], { env })
    ])
    expect(noSecret.code).toBe(78)
    expect(noSecret.stderr).toContain("HUB_JWT_SECRET")
    expect(noTenant.code).toBe(2)
    expect(noTenant.stderr).toContain("--tenant-id")
    expect(badTtl.code).toBe(2)
    expect(badTtl.stderr).toContain("--ttl")
    expect(badRole.code).toBe(2)
    expect(badRole.stderr).toContain("root")
    for (const r of [noSecret, noTenant, badTtl, badRole]) expect(r.stdout).toBe("")
  })
})

describe("with a running Hub", () => {
  const badSourceBase = ["source", "create", "--host", "127.0.0.1", "--username", "backup", "--password-stdin"]
  const sourceCount = async (tenantId: string) =>
    Number((await query<{ n: string }>(hub.databaseUrl, "SELECT count(*) AS n FROM sources WHERE tenant_id = $1", [tenantId]))[0]!.n)

  it("tenant create prints the tenant; a second one with the same name is a conflict (4)", async () => {
    const created = await asAdmin(["tenant", "create", "--name", "acme", "--json"])
    expect(created.code, created.stderr).toBe(0)
    const tenant = JSON.parse(created.stdout) as Record<string, unknown>
    expect(tenant).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "acme",
      publicKey: expect.stringMatching(/^age1/),
      createdAt: expect.any(String)
    })
    expect(Number.isNaN(Date.parse(tenant["createdAt"] as string))).toBe(false)

    const [again, againJson] = await Promise.all([
      asAdmin(["tenant", "create", "--name", "acme"]),
      asAdmin(["tenant", "create", "--name", "acme", "--json"])
    ])
    expect(again.code).toBe(4)
    expect(again.stderr).toMatch(/acme.*already exists/)
    expect(againJson.code).toBe(4)
    expect(againJson.stdout).toBe("")
    expect(JSON.parse(againJson.stderr)).toEqual({
      error: { code: "conflict", message: expect.stringContaining("acme"), exitCode: 4 }
    })
  })

  it("tenant list shows a table for people and an array with --json", async () => {
    const tenant = await createTenantViaApi(unique("listed"))
    const [human, json] = await Promise.all([asAdmin(["tenant", "list"]), asAdmin(["tenant", "list", "--json"])])
    expect(human.code, human.stderr).toBe(0)
    const [header, ...rows] = lines(human.stdout)
    expect(header).toMatch(/^ID\s+NAME\s+/)
    expect(rows.some((row) => row.includes(tenant.id) && row.includes(tenant.name))).toBe(true)
    expect(json.code, json.stderr).toBe(0)
    const list = JSON.parse(json.stdout) as Array<{ id: string; name: string }>
    expect(Array.isArray(list)).toBe(true)
    expect(list).toContainEqual(expect.objectContaining({ id: tenant.id, name: tenant.name }))
  })

  it("source credentials are sealed: they appear nowhere in a pg_dump, the Hub log, CLI output or source list", async () => {
    const tenant = await createTenantViaApi(unique("secrets"))
    const password = `pw-${randomBytes(16).toString("hex")}`
    const keyFile = path.join(tempDir, "id_ed25519")
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "xvault-cli-test", "-f", keyFile])
    const privateKey = fs.readFileSync(keyFile, "utf8")
    const keyBody = lines(privateKey).filter((l) => !l.startsWith("-----"))
    expect(keyBody.length).toBeGreaterThan(0)

    const common = ["--tenant-id", tenant.id, "--host", "127.0.0.1", "--username", "backup", "--json"]
    const [withPassword, withKey] = await Promise.all([
      asAdmin(
        ["source", "create", ...common, "--name", "web", "--password-stdin", "--path", "/data", "--path", "/etc"],
        `${password}\n`
      ),
      asAdmin(["source", "create", ...common, "--name", "db", "--private-key-file", keyFile, "--path", "/srv"])
    ])
    expect(withPassword.code, withPassword.stderr).toBe(0)
    const source = JSON.parse(withPassword.stdout) as Record<string, unknown>
    expect(source).toMatchObject({
      tenantId: tenant.id,
      name: "web",
      host: "127.0.0.1",
      port: 22,
      username: "backup",
      authMethod: "password",
      paths: ["/data", "/etc"]
    })
    expect(Object.keys(source).filter((k) => /password|credential|secret|key$/i.test(k) && k !== "hostKey")).toEqual([])
    expect(withKey.code, withKey.stderr).toBe(0)
    expect(JSON.parse(withKey.stdout)).toMatchObject({ name: "db", authMethod: "privateKey", paths: ["/srv"] })

    const listed = await asAdmin(["source", "list", "--tenant-id", tenant.id, "--json"])
    expect(listed.code, listed.stderr).toBe(0)
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(["db", "web"])
    const shown = await asAdmin(["source", "show", String(source["id"])])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain("backup@127.0.0.1:22 (password)")

    // The credential is stored, sealed: it opens (with the KEK) to exactly what was typed, minus the newline.
    const [row] = await query<{ id: string; sealed: Buffer }>(
      hub.databaseUrl,
      "SELECT id, credential_sealed AS sealed FROM sources WHERE tenant_id = $1 AND name = 'web'",
      [tenant.id]
    )
    const keyring = keyringOf({ version: 1, key: new Uint8Array(Buffer.from(testKekBase64, "base64")) })
    expect(await Effect.runPromise(openString(keyring, row!.sealed, sealContext(SealedColumns.sourceCredential, row!.id)))).toBe(password)

    const dump = await pgDump(hub.databaseUrl)
    expect(dump).toContain("CREATE TABLE public.sources")
    expect(dump).toContain(tenant.id)
    const needles = [...leakForms(password), ...keyBody.flatMap(leakForms)]
    const places = {
      "pg_dump": dump,
      "hub log": hub.log(),
      "CLI output": outputs.map((o) => `${o.stdout}\n${o.stderr}`).join("\n"),
      "source list --json": listed.stdout,
      "source show": shown.stdout
    }
    for (const [place, text] of Object.entries(places)) {
      for (const needle of needles) {
        expect(text.includes(needle), `a credential appears in the ${place}`).toBe(false)
      }
    }
  })

  it("a tenant token sees only its own tenant; another tenant's sources look missing (3)", async () => {
    const [a, b] = await Promise.all([createTenantViaApi(unique("own-a")), createTenantViaApi(unique("own-b"))])
    const minted = await xvault(["token", "create", "--role", "tenant", "--tenant-id", a.id], {
      env: { HUB_JWT_SECRET: testJwtSecret }
    })
    expect(minted.code, minted.stderr).toBe(0)
    const token = minted.stdout.trim()
    const [tenants, otherSources, ownSources, ownTenant, otherTenant, badId] = await Promise.all([
      atHub(["tenant", "list", "--json"], { token }),
      atHub(["source", "list", "--tenant-id", b.id], { token }),
      atHub(["source", "list", "--tenant-id", a.id, "--json"], { token }),
      atHub(["tenant", "show", a.id, "--json"], { token }),
      atHub(["tenant", "show", b.id], { token }),
      atHub(["source", "show", "not-an-id"], { token })
    ])
    expect(ownTenant.code, ownTenant.stderr).toBe(0)
    expect(JSON.parse(ownTenant.stdout)).toMatchObject({ id: a.id, publicKey: expect.stringMatching(/^age1/) })
    expect(otherTenant.code).toBe(3)
    expect(badId.code).toBe(2)
    expect(badId.stderr).toContain("'not-an-id' is not a source id")
    expect(tenants.code, tenants.stderr).toBe(0)
    expect((JSON.parse(tenants.stdout) as Array<{ id: string }>).map((t) => t.id)).toEqual([a.id])
    expect(otherSources.code).toBe(3)
    expect(otherSources.stderr).toContain("not found")
    expect(ownSources.code, ownSources.stderr).toBe(0)
    expect(JSON.parse(ownSources.stdout)).toEqual([])
  })

  it("no token is unauthorized (5); an unreachable Hub is 6", async () => {
    const [noToken, noHub] = await Promise.all([
      atHub(["tenant", "list"]),
      xvault(["tenant", "list", "--hub-url", "http://127.0.0.1:1"], { env: { XVAULT_TOKEN: adminToken } })
    ])
    expect(noToken.code).toBe(5)
    expect(noToken.stderr).toMatch(/token/i)
    expect(noHub.code).toBe(6)
    expect(noHub.stderr).toMatch(/reach the Hub/)
  })

  it("bad source flags are refused before anything is stored (2)", async () => {
    const tenant = await createTenantViaApi(unique("bad-input"))
    const [badPort, badTenant] = await Promise.all([
      asAdmin([...badSourceBase, "--tenant-id", tenant.id, "--name", "port", "--path", "/data", "--port", "70000"], "pw\n"),
      asAdmin([...badSourceBase, "--tenant-id", "not-a-uuid", "--name", "id", "--path", "/data"], "pw\n")
    ])
    expect(badPort.code).toBe(2)
    expect(badPort.stderr).toContain("--port")
    expect(badTenant.code).toBe(2)
    expect(badTenant.stderr).toContain("tenant")
    expect(await sourceCount(tenant.id)).toBe(0)
  })

  it("--kind sftp (the default) needs --host and --username: exit 2 naming the missing flag; an unknown kind is refused", async () => {
    const tenant = await createTenantViaApi(unique("kind-flags"))
    const base = ["source", "create", "--tenant-id", tenant.id, "--password-stdin", "--path", "/data"]
    const [noHost, noUser, explicit, unknownKind] = await Promise.all([
      asAdmin([...base, "--name", "nohost", "--username", "backup"], "pw\n"),
      asAdmin([...base, "--name", "nouser", "--kind", "sftp", "--host", "127.0.0.1"], "pw\n"),
      asAdmin([...base, "--name", "explicit", "--kind", "sftp", "--host", "127.0.0.1", "--username", "backup", "--json"], "pw\n"),
      asAdmin([...base, "--name", "other", "--kind", "ftp", "--host", "127.0.0.1", "--username", "backup"], "pw\n")
    ])
    const refusals = [[noHost, "--host is required for --kind sftp"], [noUser, "--username is required for --kind sftp"], [unknownKind, "--kind"]] as const
    for (const [refused, message] of refusals) {
      expect(refused.code, refused.stderr).toBe(2)
      expect(refused.stderr).toContain(message)
    }
    expect(explicit.code, explicit.stderr).toBe(0)
    expect(JSON.parse(explicit.stdout)).toMatchObject({ kind: "sftp", host: "127.0.0.1", port: 22, username: "backup" })
    expect(await sourceCount(tenant.id)).toBe(1)
  })

  it("a relative --path is bad input (2) that names paths, and nothing is stored", async () => {
    const tenant = await createTenantViaApi(unique("relative"))
    const relative = await asAdmin([...badSourceBase, "--tenant-id", tenant.id, "--name", "rel", "--path", "data"], "pw\n")
    expect(relative.stderr).toContain("paths")
    expect(relative.code, relative.stderr).toBe(2)
    expect(await sourceCount(tenant.id)).toBe(0)
  })

  it("audit list shows who created what, newest first, and pages with --before", async () => {
    const name = unique("audited")
    const created = await asAdmin(["tenant", "create", "--name", name, "--json"])
    const tenantId = (JSON.parse(created.stdout) as { id: string }).id
    const page = await asAdmin(["audit", "list", "--tenant-id", tenantId, "--json"])
    expect(page.code, page.stderr).toBe(0)
    const { entries, nextBefore } = JSON.parse(page.stdout) as {
      entries: Array<{ action: string; resourceId: string; actorRole: string }>
      nextBefore: number | null
    }
    expect(entries).toEqual([expect.objectContaining({ action: "tenant.create", resourceId: tenantId, actorRole: "admin" })])
    expect(nextBefore).toBeNull()
    const table = await asAdmin(["audit", "list", "--limit", "1"])
    expect(table.code, table.stderr).toBe(0)
    expect(lines(table.stdout)[0]).toMatch(/^ID\s+AT\s+ACTOR\s+ACTION\s+RESOURCE$/)
    expect(table.stdout).toMatch(/more: xvault audit list --before \d+/)
  })

  it("GET /openapi.json lists every route and GET /docs serves HTML", async () => {
    const openapi = (await (await fetch(`${hub.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(openapi.paths).sort()).toEqual([...hubRoutes].sort())
    const docs = await fetch(`${hub.baseUrl}/docs`)
    expect(docs.status).toBe(200)
    expect(docs.headers.get("content-type")).toMatch(/text\/html/)
    expect(await docs.text()).toMatch(/<html/i)
  })
})

describe("help", () => {
  const commands = [
    "migrate",
    "hub serve",
    "token create",
    "tenant create",
    "tenant list",
    "source create",
    "source list",
    "secrets reseal",
    "audit list",
    "tenant show",
    "source show"
  ]

  it("xvault --help and the topic helps reach every command", async () => {
    const topics = [...new Set(commands.filter((c) => c.includes(" ")).map((c) => c.split(" ")[0]!))]
    const [root, ...topicHelps] = await Promise.all([
      xvault(["--help"]),
      ...topics.map((topic) => xvault([topic, "--help"]))
    ])
    expect(root.code).toBe(0)
    for (const command of commands) expect(root.stdout).toMatch(new RegExp(`^\\s+${command.split(" ")[0]}\\s`, "m"))
    const all = topicHelps.map((h) => h.stdout).join("\n")
    for (const command of commands.filter((c) => c.includes(" "))) {
      expect(all).toMatch(new RegExp(`^\\s+${command}\\s`, "m"))
    }
  })

  it("every command's --help has EXAMPLES and EXIT STATUS", async () => {
    const helps = await Promise.all(commands.map((c) => xvault([...c.split(" "), "--help"])))
    helps.forEach((help, i) => {
      expect(help.code, commands[i]).toBe(0)
      expect(help.stdout, commands[i]).toContain("EXAMPLES")
      expect(help.stdout, commands[i]).toContain("EXIT STATUS")
    })
  })
})

describe("xvault secrets reseal", () => {
  it("reports what it re-sealed as JSON, and refuses a malformed previous key (78) without echoing it", async () => {
    const db = await inFileScope(freshDatabase())
    const newKey = randomBytes(32).toString("base64")
    const env = {
      DATABASE_URL: db.url,
      HUB_ENCRYPTION_KEK: newKey,
      HUB_ENCRYPTION_KEK_VERSION: "2",
      HUB_ENCRYPTION_KEK_PREVIOUS: `1:${testKekBase64}`
    }
    const ok = await xvault(["secrets", "reseal", "--json"], { env })
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual({
      kekVersion: 2,
      resealed: { "tenants.age_secret_key_sealed": 0, "sources.credential_sealed": 0, "sources.passphrase_sealed": 0, "webhooks.secret_sealed": 0 }
    })
    const bad = await xvault(["secrets", "reseal"], { env: { ...env, HUB_ENCRYPTION_KEK_PREVIOUS: testKekBase64 } })
    expect(bad.code).toBe(78)
    expect(lines(bad.stderr)).toHaveLength(1)
    expect(bad.stderr).toContain("HUB_ENCRYPTION_KEK_PREVIOUS")
    expect(bad.stderr).not.toContain(testKekBase64)
  })
})

describe("hub serve", () => {
  it("is ready on PostgreSQL and Redis, and exits 0 promptly on SIGTERM", async () => {
    const scope = Effect.runSync(Scope.make())
    try {
      const own = await Effect.runPromise(Scope.extend(startHub(), scope))
      const ready = await fetch(`${own.baseUrl}/readyz`)
      expect(await ready.json()).toEqual({ status: "ready", database: "ok", redis: "ok" })
      const sent = Date.now()
      process.kill(own.pid, "SIGTERM")
      while (!own.exited() && Date.now() - sent < 5_000) await new Promise((r) => setTimeout(r, 25))
      expect(own.exited(), own.log()).toBe(true)
      expect(own.exitCode(), own.log()).toBe(0)
      expect(Date.now() - sent).toBeLessThan(5_000)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })

  it("with --migrate builds the schema of an empty database before it serves", async () => {
    const scope = Effect.runSync(Scope.make())
    try {
      const own = await Effect.runPromise(Scope.extend(startHub({ migrate: true }), scope))
      expect(own.log()).toContain("applied migration 0001_init")
      const token = (await xvault(["token", "create", "--role", "admin"], { env: { HUB_JWT_SECRET: testJwtSecret } }))
        .stdout.trim()
      const created = await xvault(["tenant", "create", "--name", "fresh", "--json"], {
        env: { HUB_BASE_URL: own.baseUrl, XVAULT_TOKEN: token }
      })
      expect(created.code, created.stderr).toBe(0)
      expect(JSON.parse(created.stdout)).toMatchObject({ name: "fresh" })
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})
