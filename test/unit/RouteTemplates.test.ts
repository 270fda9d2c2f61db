import { describe, expect, it } from "vitest"
import { apiRoutes, routeMatcher, UNMATCHED_ROUTE } from "../../src/hub/Metrics/RouteTemplates.js"

describe("route templates for HTTP metrics", () => {
  const routeOf = routeMatcher(apiRoutes())

  it("maps a request to its route template, never the raw path with ids", () => {
    expect(routeOf("GET", "/v1/jobs/0b9f1c52-2f1a-4c39-9a57-6a3c1d2e4f50")).toBe("/v1/jobs/:id")
    expect(routeOf("POST", "/v1/sources/0b9f1c52-2f1a-4c39-9a57-6a3c1d2e4f50/backups")).toBe("/v1/sources/:id/backups")
    expect(routeOf("POST", "/v1/worker/jobs/abc/claim")).toBe("/v1/worker/jobs/:id/claim")
    expect(routeOf("GET", "/healthz")).toBe("/healthz")
    expect(routeOf("GET", "/openapi.json")).toBe("/openapi.json")
  })

  it("prefers a literal segment over a parameter, as the router does", () => {
    const literalFirst = routeMatcher([["GET", "/v1/things/:id"], ["GET", "/v1/things/latest"]])
    expect(literalFirst("GET", "/v1/things/latest")).toBe("/v1/things/latest")
    expect(literalFirst("GET", "/v1/things/42")).toBe("/v1/things/:id")
  })

  it("keeps a known path under its template when the method is wrong, and folds unknown paths into one value", () => {
    expect(routeOf("DELETE", "/v1/tenants")).toBe("/v1/tenants")
    expect(routeOf("GET", "/wp-admin/setup.php")).toBe(UNMATCHED_ROUTE)
    expect(routeOf("GET", "/v1/jobs/1/2/3")).toBe(UNMATCHED_ROUTE)
  })
})
