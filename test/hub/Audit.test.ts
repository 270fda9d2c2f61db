import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { adminToken, clientAs, HubTestLive, rawRequest, tokenFor } from "../support/HubTest.js"

layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("audit log API", (it) => {
  it.effect("admins read who did what, newest first, page by page", () =>
    Effect.gen(function*() {
      const admin = yield* clientAs(tokenFor({ role: "admin", subject: "carol" }))
      const tenant = yield* admin.tenants.create({ payload: { name: "audited-co" } })
      const source = yield* admin.sources.create({
        path: { tenantId: tenant.id },
        payload: {
          name: "web",
          host: "h",
          port: 22,
          username: "u",
          credentials: { _tag: "password", password: Redacted.make("not-in-the-log") },
          paths: ["/srv"],
          excludes: []
        }
      })
      const first = yield* admin.audit.list({ urlParams: { tenantId: tenant.id, limit: 1 } })
      expect(first.entries.map((e) => [e.action, e.resourceId, e.actorSubject])).toEqual([
        ["source.create", source.id, "carol"]
      ])
      expect(first.nextBefore).toBe(first.entries[0]!.id)
      const second = yield* admin.audit.list({ urlParams: { tenantId: tenant.id, limit: 1, before: first.nextBefore! } })
      expect(second.entries.map((e) => e.action)).toEqual(["tenant.create"])
      expect(second.nextBefore).toBeNull()
      expect(JSON.stringify(first)).not.toContain("not-in-the-log")
    }))

  it.effect("a tenant reads only its own entries; another tenant's log looks missing; workers are refused", () =>
    Effect.gen(function*() {
      const admin = yield* clientAs(adminToken())
      const a = yield* admin.tenants.create({ payload: { name: "audit-a" } })
      const b = yield* admin.tenants.create({ payload: { name: "audit-b" } })
      const asA = yield* clientAs(tokenFor({ role: "tenant", tenantId: a.id }))
      const own = yield* asA.audit.list({ urlParams: {} })
      expect(own.entries.length).toBeGreaterThan(0)
      expect(new Set(own.entries.map((e) => e.tenantId))).toEqual(new Set([a.id]))
      expect((yield* Effect.flip(asA.audit.list({ urlParams: { tenantId: b.id } })))._tag).toBe("NotFound")
      const asWorker = yield* clientAs(tokenFor({ role: "worker", workerId: "w1" as never }))
      expect((yield* Effect.flip(asWorker.audit.list({ urlParams: {} })))._tag).toBe("Forbidden")
    }))

  it.effect("a bad limit is a 400 naming it", () =>
    Effect.gen(function*() {
      const response = yield* rawRequest("GET", "/v1/audit-log?limit=9999", { token: adminToken() })
      expect(response.status).toBe(400)
      expect((response.json() as { error: { message: string } }).error.message).toMatch(/^limit: /)
    }))
})
