import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { SourceId, TenantId } from "../../src/shared/contract/Ids.js"
import type { CreateSource } from "../../src/shared/contract/Sources.js"
import { keyringOf, openString } from "../../src/shared/crypto/SealedSecret.js"
import { testKekBase64 } from "../support/env.js"
import { adminToken, clientAs, HubTestLive, rawRequest, tokenFor } from "../support/HubTest.js"

const kek = { version: 1, key: new Uint8Array(Buffer.from(testKekBase64, "base64")) }
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

const passwordSource = (password: string): typeof CreateSource.Encoded => ({
  name: unique("web"),
  host: "127.0.0.1",
  port: 2222,
  username: "backup",
  credentials: { _tag: "password", password },
  paths: ["/srv/data", "/etc"],
  excludes: ["*.tmp"]
})

const typedPasswordSource = (): CreateSource => ({
  name: unique("web"),
  host: "127.0.0.1",
  port: 2222,
  username: "backup",
  paths: ["/srv/data"],
  excludes: [],
  credentials: { _tag: "password", password: Redacted.make(`pw-${crypto.randomUUID()}`) }
})

const newTenant = Effect.flatMap(clientAs(adminToken()), (hub) => hub.tenants.create({ payload: { name: unique("t") } }))

const createRaw = (tenantId: string, body: unknown, token = adminToken()) =>
  rawRequest("POST", `/v1/tenants/${tenantId}/sources`, { token, body: JSON.stringify(body) })

layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("sources API (real PostgreSQL)", (it) => {
  it.effect("a source is created with its credentials sealed and never returned", () =>
    Effect.gen(function*() {
      const tenant = yield* newTenant
      const password = `pw-${crypto.randomUUID()}`
      const response = yield* createRaw(tenant.id, passwordSource(password))
      expect(response.status).toBe(201)
      expect(response.text).not.toContain(password)
      const source = response.json() as { id: string; authMethod: string; port: number; hostKey: null }
      expect(source).toMatchObject({ authMethod: "password", port: 2222, hostKey: null, tenantId: tenant.id })

      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ sealed: Uint8Array; dump: string }>`
        SELECT credential_sealed AS sealed, row_to_json(sources)::text AS dump FROM sources WHERE id = ${source.id}`
      expect(row!.dump).not.toContain(password)
      const opened = yield* openString(keyringOf(kek), row!.sealed, {
        table: "sources",
        rowId: source.id,
        column: "credential_sealed"
      })
      expect(opened).toBe(password)
      const listed = yield* rawRequest("GET", `/v1/tenants/${tenant.id}/sources`, { token: adminToken() })
      expect(listed.text).not.toContain(password)
      expect(listed.text).toContain(source.id)
    }))

  it.effect("a private key source keeps key and passphrase sealed; a pinned host key is kept", () =>
    Effect.gen(function*() {
      const tenant = yield* newTenant
      const hub = yield* clientAs(adminToken())
      const hostKey = `SHA256:${Buffer.alloc(32, 1).toString("base64").replace(/=+$/, "")}`
      const source = yield* hub.sources.create({
        path: { tenantId: tenant.id },
        payload: {
          ...typedPasswordSource(),
          credentials: {
            _tag: "privateKey",
            privateKey: Redacted.make("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-body\n"),
            passphrase: Redacted.make("secret-passphrase")
          },
          hostKey
        }
      })
      expect(source.authMethod).toBe("privateKey")
      expect(source.hostKey).toBe(hostKey)
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ dump: string }>`SELECT row_to_json(sources)::text AS dump FROM sources WHERE id = ${source.id}`
      expect(row!.dump).not.toContain("secret-key-body")
      expect(row!.dump).not.toContain("secret-passphrase")
    }))

  it.effect("bad fields are 400s that name the field, never 500s", () =>
    Effect.gen(function*() {
      const tenant = yield* newTenant
      const base = passwordSource("pw")
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ ...base, paths: ["relative/path"] }, "paths.0"],
        [{ ...base, paths: [] }, "paths"],
        [{ ...base, port: 70000 }, "port"],
        [{ ...base, host: "bad host" }, "host"],
        [{ ...base, hostKey: "MD5:aa" }, "hostKey"],
        [{ ...base, credentials: { _tag: "password", password: "" } }, "credentials"],
        [{ ...base, credentials: { _tag: "magic" } }, "credentials"],
        [{ name: "x" }, "host"]
      ]
      for (const [body, field] of cases) {
        const response = yield* createRaw(tenant.id, body)
        expect(response.status, JSON.stringify(body)).toBe(400)
        const error = (response.json() as { error: { code: string; message: string } }).error
        expect(error.code).toBe("bad_request")
        expect(error.message).toContain(field)
      }
    }))

  it.effect("kind: a request without one is sftp, sftp can be named, an unknown kind is a 400 naming kind", () =>
    Effect.gen(function*() {
      const tenant = yield* newTenant
      const implicit = yield* createRaw(tenant.id, passwordSource("pw"))
      expect(implicit.status).toBe(201)
      expect(implicit.json()).toMatchObject({ kind: "sftp", host: "127.0.0.1", port: 2222, username: "backup" })
      const explicit = yield* createRaw(tenant.id, { ...passwordSource("pw"), kind: "sftp" })
      expect(explicit.status).toBe(201)
      expect(explicit.json()).toMatchObject({ kind: "sftp" })
      const unknown = yield* createRaw(tenant.id, { ...passwordSource("pw"), kind: "ftp" })
      expect(unknown.status).toBe(400)
      expect((unknown.json() as { error: { message: string } }).error.message).toContain("kind")
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ kind: string; spec: unknown }>`SELECT kind, spec FROM sources WHERE tenant_id = ${tenant.id}`
      expect(rows).toEqual([
        { kind: "sftp", spec: { host: "127.0.0.1", port: 2222, username: "backup" } },
        { kind: "sftp", spec: { host: "127.0.0.1", port: 2222, username: "backup" } }
      ])
    }))

  it.effect("a duplicate name within a tenant is 409; the same name in another tenant is fine", () =>
    Effect.gen(function*() {
      const a = yield* newTenant
      const b = yield* newTenant
      const body = passwordSource("pw")
      expect((yield* createRaw(a.id, body)).status).toBe(201)
      const again = yield* createRaw(a.id, body)
      expect(again.status).toBe(409)
      expect((again.json() as { error: { code: string } }).error.code).toBe("conflict")
      expect((yield* createRaw(b.id, body)).status).toBe(201)
    }))

  it.effect("tenant A's token cannot see or create in tenant B (404), and sees its own", () =>
    Effect.gen(function*() {
      const a = yield* newTenant
      const b = yield* newTenant
      const admin = yield* clientAs(adminToken())
      const bSource = yield* admin.sources.create({ path: { tenantId: b.id }, payload: typedPasswordSource() })
      const tokenA = tokenFor({ role: "tenant", tenantId: a.id })
      const asA = yield* clientAs(tokenA)
      const aSource = yield* asA.sources.create({ path: { tenantId: a.id }, payload: typedPasswordSource() })
      expect((yield* asA.sources.list({ path: { tenantId: a.id } })).map((s) => s.id)).toEqual([aSource.id])
      expect((yield* Effect.flip(asA.sources.get({ path: { id: bSource.id } })))._tag).toBe("NotFound")
      expect((yield* Effect.flip(asA.sources.list({ path: { tenantId: b.id } })))._tag).toBe("NotFound")
      expect((yield* createRaw(b.id, passwordSource("pw"), tokenA)).status).toBe(404)
      expect((yield* asA.sources.get({ path: { id: aSource.id } })).name).toBe(aSource.name)
    }))

  it.effect("unknown tenants and sources are 404; no token is 401", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(adminToken())
      const missingTenant = crypto.randomUUID() as TenantId
      expect((yield* Effect.flip(hub.sources.list({ path: { tenantId: missingTenant } })))._tag).toBe("NotFound")
      expect((yield* createRaw(missingTenant, passwordSource("pw"))).status).toBe(404)
      expect((yield* Effect.flip(hub.sources.get({ path: { id: crypto.randomUUID() as SourceId } })))._tag).toBe(
        "NotFound"
      )
      const anonymous = yield* rawRequest("GET", `/v1/sources/${crypto.randomUUID()}`)
      expect(anonymous.status).toBe(401)
    }))

  it.effect("creating a source is audited without any secret in the details", () =>
    Effect.gen(function*() {
      const tenant = yield* newTenant
      const password = `pw-${crypto.randomUUID()}`
      const source = (yield* createRaw(tenant.id, passwordSource(password))).json() as { id: string }
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ action: string; tenant_id: string; details: string }>`
        SELECT action, tenant_id, details::text AS details FROM audit_log WHERE resource_id = ${source.id}`
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ action: "source.create", tenant_id: tenant.id })
      expect(rows[0]!.details).not.toContain(password)
    }))
})
