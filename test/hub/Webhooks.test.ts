import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { TenantId } from "../../src/shared/contract/Ids.js"
import { keyringOf, openString } from "../../src/shared/crypto/SealedSecret.js"
import { testKekBase64 } from "../support/env.js"
import { adminToken, clientAs, HubTestLive, rawRequest, tokenFor } from "../support/HubTest.js"

const kek = { version: 1, key: new Uint8Array(Buffer.from(testKekBase64, "base64")) }
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`
const publicUrl = "https://93.184.215.14/hooks/xvault"

const newTenant = Effect.flatMap(clientAs(adminToken()), (hub) => hub.tenants.create({ payload: { name: unique("t") } }))

// This Hub runs without HUB_WEBHOOK_ALLOW_PRIVATE: the address checks are on.
layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("webhooks API (real PostgreSQL)", (it) => {
  it.effect("create shows the secret once, seals it at rest; list never shows it", () =>
    Effect.gen(function*() {
      const hub = yield* clientAs(adminToken())
      const tenant = yield* newTenant
      const created = yield* hub.webhooks.create({
        path: { tenantId: tenant.id },
        payload: { url: publicUrl, events: ["backup.failed", "snapshot.corrupt", "backup.failed"] }
      })
      const secret = Redacted.value(created.secret)
      expect(secret).toMatch(/^whsec_/)
      expect(created.webhook).toMatchObject({ tenantId: tenant.id, url: publicUrl, events: ["backup.failed", "snapshot.corrupt"] })

      const listed = yield* rawRequest("GET", `/v1/tenants/${tenant.id}/webhooks`, { token: adminToken() })
      expect(listed.status).toBe(200)
      expect(listed.text).not.toContain(secret)
      expect(listed.json()).toEqual([expect.objectContaining({ id: created.webhook.id, url: publicUrl })])

      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ secret_sealed: Uint8Array }>`SELECT secret_sealed FROM webhooks WHERE id = ${created.webhook.id}`
      expect(Buffer.from(row!.secret_sealed).includes(Buffer.from(secret))).toBe(false)
      const opened = yield* openString(keyringOf(kek), row!.secret_sealed, { table: "webhooks", column: "secret_sealed", rowId: created.webhook.id })
      expect(opened).toBe(secret)
      const audit = yield* sql<{ details: string }>`SELECT details::text FROM audit_log WHERE action = 'webhook.create'`
      expect(audit.map((a) => a.details).join()).not.toContain(secret)
    }))

  it.effect("a private, loopback or link-local URL, a non-http scheme or an unknown event is a 400 naming the problem", () =>
    Effect.gen(function*() {
      const tenant = yield* newTenant
      const post = (body: unknown) =>
        rawRequest("POST", `/v1/tenants/${tenant.id}/webhooks`, { token: adminToken(), body: JSON.stringify(body) })
      const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
        [{ url: "http://127.0.0.1:9000/h", events: ["backup.failed"] }, /host '127\.0\.0\.1' resolves to 127\.0\.0\.1, a private/],
        [{ url: "http://169.254.169.254/", events: ["backup.failed"] }, /169\.254\.169\.254, a private, loopback or link-local/],
        [{ url: "http://[::1]/", events: ["backup.failed"] }, /host '::1' resolves to ::1/],
        [{ url: "http://localhost/", events: ["backup.failed"] }, /host 'localhost' resolves to .*HUB_WEBHOOK_ALLOW_PRIVATE/],
        [{ url: "ftp://93.184.215.14/", events: ["backup.failed"] }, /url.*http:\/\/ or https:\/\//],
        [{ url: publicUrl, events: ["backup.exploded"] }, /events.*must be one of backup\.failed/s],
        [{ url: publicUrl, events: [] }, /events/]
      ]
      for (const [body, message] of cases) {
        const response = yield* post(body)
        expect(response.status, JSON.stringify(body)).toBe(400)
        expect((response.json() as { error: { message: string } }).error.message, JSON.stringify(body)).toMatch(message)
      }
      const listed = yield* Effect.flatMap(clientAs(adminToken()), (hub) => hub.webhooks.list({ path: { tenantId: tenant.id } }))
      expect(listed).toEqual([])
    }))

  it.effect("another tenant's webhook is a 404 for list, delete and deliveries; its owner may delete it", () =>
    Effect.gen(function*() {
      const a = yield* newTenant
      const b = yield* newTenant
      const asA = yield* clientAs(tokenFor({ role: "tenant", tenantId: a.id as TenantId }))
      const asB = yield* clientAs(tokenFor({ role: "tenant", tenantId: b.id as TenantId }))
      const created = yield* asA.webhooks.create({ path: { tenantId: a.id }, payload: { url: publicUrl, events: ["backup.missed"] } })
      const id = created.webhook.id
      for (const attempt of [
        asB.webhooks.list({ path: { tenantId: a.id } }),
        asB.webhooks.delete({ path: { id } }),
        asB.webhooks.deliveries({ path: { id }, urlParams: {} }),
        asB.webhooks.create({ path: { tenantId: a.id }, payload: { url: publicUrl, events: ["backup.missed"] } })
      ]) {
        const error = yield* Effect.flip(attempt)
        expect(error._tag).toBe("NotFound")
      }
      expect(yield* asA.webhooks.deliveries({ path: { id }, urlParams: {} })).toEqual([])
      yield* asA.webhooks.delete({ path: { id } })
      expect(yield* asA.webhooks.list({ path: { tenantId: a.id } })).toEqual([])
      const gone = yield* Effect.flip(asA.webhooks.delete({ path: { id } }))
      expect(gone.message).toBe(`webhook ${id} not found`)
    }))
})
