import { expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { hubRoutes } from "../support/routes.js"
import { adminToken, HubTestLive, rawRequest } from "../support/HubTest.js"

layer(HubTestLive, { timeout: "60 seconds", excludeTestServices: true })("HTTP edge of the Hub", (it) => {
  it.effect("liveness and readiness answer without a token", () =>
    Effect.gen(function*() {
      const live = yield* rawRequest("GET", "/healthz")
      expect(live.status).toBe(200)
      expect(live.json()).toMatchObject({ status: "ok" })
      const ready = yield* rawRequest("GET", "/readyz")
      expect(ready.status).toBe(200)
      expect(ready.json()).toEqual({ status: "ready", database: "ok", redis: "ok" })
    }))

  it.effect("unparsable JSON is a 400 with the JSON error shape", () =>
    Effect.gen(function*() {
      const response = yield* rawRequest("POST", "/v1/tenants", { token: adminToken(), body: "{\"name\":" })
      expect(response.status).toBe(400)
      expect(response.json()).toEqual({ error: { code: "bad_request", message: "request body is not valid JSON" } })
    }))

  it.effect("an oversized body is refused with 413 before it is read", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ name: "x".repeat(300 * 1024) })
      const response = yield* rawRequest("POST", "/v1/tenants", { token: adminToken(), body })
      expect(response.status).toBe(413)
      expect((response.json() as { error: { code: string } }).error.code).toBe("payload_too_large")
    }))

  it.effect("a malformed path id is a 400 naming it, not a 404 or 500", () =>
    Effect.gen(function*() {
      const response = yield* rawRequest("GET", "/v1/tenants/not-a-uuid", { token: adminToken() })
      expect(response.status).toBe(400)
      expect((response.json() as { error: { message: string } }).error.message).toContain("id")
    }))

  it.effect("the OpenAPI document lists every route", () =>
    Effect.gen(function*() {
      const response = yield* rawRequest("GET", "/openapi.json")
      expect(response.status).toBe(200)
      const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths).sort()
      expect(paths).toEqual([...hubRoutes].sort())
    }))

  it.effect("a failure on the Hub's side is a JSON 500 that reveals nothing of the cause", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`ALTER TABLE tenants RENAME TO tenants_away`
      const response = yield* rawRequest("GET", "/v1/tenants", { token: adminToken() }).pipe(
        Effect.ensuring(Effect.orDie(sql`ALTER TABLE tenants_away RENAME TO tenants`))
      )
      expect(response.status).toBe(500)
      expect(response.json()).toEqual({
        error: { code: "internal", message: "internal error; the Hub log has the details" }
      })
    }))
})
