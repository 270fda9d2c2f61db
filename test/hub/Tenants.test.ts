import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { keyringOf, openString } from "../../src/shared/crypto/SealedSecret.js"
import { ageRecipientOf } from "../../src/shared/crypto/AgeKeys.js"
import { adminToken, clientAs, HubTestLive, rawRequest, tokenFor } from "../support/HubTest.js"
import { testKekBase64 } from "../support/env.js"
import type { TenantId } from "../../src/shared/contract/Ids.js"

const kek = { version: 1, key: new Uint8Array(Buffer.from(testKekBase64, "base64")) }
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`

layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("tenants API (real PostgreSQL)", (it) => {
  it.effect("an admin creates a tenant and gets its id and age public key", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(adminToken())
      const name = unique("acme")
      const tenant = yield* hub.tenants.create({ payload: { name } })
      expect(tenant.name).toBe(name)
      expect(tenant.publicKey).toMatch(/^age1[02-9ac-hj-np-z]{58}$/)
      const fetched = yield* hub.tenants.get({ path: { id: tenant.id } })
      expect(fetched.publicKey).toBe(tenant.publicKey)
    }))

  it.effect("a duplicate tenant name is a Conflict that names the tenant", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(adminToken())
      const name = unique("dup")
      yield* hub.tenants.create({ payload: { name } })
      const error = yield* Effect.flip(hub.tenants.create({ payload: { name } }))
      expect(error._tag).toBe("Conflict")
      expect(error.message).toContain(name)
    }))

  it.effect("a bad name is a 400 whose JSON error names the field", () =>
    Effect.gen(function*() {
      const response = yield* rawRequest("POST", "/v1/tenants", {
        token: adminToken(),
        body: JSON.stringify({ name: "Not Valid!" })
      })
      expect(response.status).toBe(400)
      expect(response.json()).toEqual({
        error: { code: "bad_request", message: "name: must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit" }
      })
    }))

  it.effect("the secret key is stored sealed, opens to the published key, and only in its own row", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(adminToken())
      const a = yield* hub.tenants.create({ payload: { name: unique("sealed-a") } })
      const b = yield* hub.tenants.create({ payload: { name: unique("sealed-b") } })
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ sealed: Uint8Array }>`SELECT age_secret_key_sealed AS sealed FROM tenants WHERE id = ${a.id}`
      const context = (id: string) => ({ table: "tenants", rowId: id, column: "age_secret_key_sealed" })
      expect(Buffer.from(row!.sealed).toString("latin1")).not.toContain("AGE-SECRET-KEY-1")
      const secret = yield* openString(keyringOf(kek), row!.sealed, context(a.id))
      expect(ageRecipientOf(secret)).toBe(a.publicKey)
      const moved = yield* Effect.either(openString(keyringOf(kek), row!.sealed, context(b.id)))
      expect(Either.isLeft(moved)).toBe(true)
    }))

  it.effect("every create is audited with who did it", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(tokenFor({ role: "admin", subject: "alice" }))
      const tenant = yield* hub.tenants.create({ payload: { name: unique("audited") } })
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ actor_role: string; actor_subject: string; action: string }>`
        SELECT actor_role, actor_subject, action FROM audit_log WHERE resource_id = ${tenant.id}`
      expect(rows).toEqual([{ actor_role: "admin", actor_subject: "alice", action: "tenant.create" }])
    }))

  it.effect("a tenant token lists and reads only its own tenant; others look missing", () =>
    Effect.gen(function*() {
      const admin = yield* clientAs(adminToken())
      const a = yield* admin.tenants.create({ payload: { name: unique("own-a") } })
      const b = yield* admin.tenants.create({ payload: { name: unique("own-b") } })
      const asA = yield* clientAs(tokenFor({ role: "tenant", tenantId: a.id }))
      expect((yield* asA.tenants.list()).map((t) => t.id)).toEqual([a.id])
      const error = yield* Effect.flip(asA.tenants.get({ path: { id: b.id } }))
      expect(error._tag).toBe("NotFound")
    }))

  it.effect("only admins create tenants: tenant and worker tokens are Forbidden", () =>
    Effect.gen(function*() {
      const asTenant = yield* clientAs(tokenFor({ role: "tenant", tenantId: crypto.randomUUID() as TenantId }))
      expect((yield* Effect.flip(asTenant.tenants.create({ payload: { name: unique("x") } })))._tag).toBe("Forbidden")
      const asWorker = yield* clientAs(tokenFor({ role: "worker", workerId: "w1" as never }))
      expect((yield* Effect.flip(asWorker.tenants.list()))._tag).toBe("Forbidden")
    }))

  it.effect("no token, a bad signature, an expired token and alg:none are all Unauthorized", () =>
    Effect.gen(function*() {
      const good = adminToken()
      const [header, claims] = good.split(".") as [string, string, string]
      const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${claims}.`
      const forged = tokenFor({ role: "admin" }).replace(/.{4}$/, "AAAA")
      const expired = tokenFor({ role: "admin", ttlSeconds: -10 })
      const otherKey = `${header}.${claims}.${Buffer.alloc(32).toString("base64url")}`
      for (const [token, reason] of [
        [undefined, "missing bearer token"],
        [none, "algorithm none"],
        [forged, "bad signature"],
        [otherKey, "bad signature"],
        [expired, "expired"]
      ] as const) {
        const hub = yield* clientAs(token)
        const error = yield* Effect.flip(hub.tenants.list())
        expect(error._tag).toBe("Unauthorized")
        expect(error.message).toContain(reason)
      }
    }))

  it.effect("an unknown tenant id is NotFound", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(adminToken())
      const error = yield* Effect.flip(hub.tenants.get({ path: { id: crypto.randomUUID() as TenantId } }))
      expect(error._tag).toBe("NotFound")
    }))
})

