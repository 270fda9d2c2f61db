/** Every route the Hub serves, as /openapi.json lists them: a route added or lost shows up in review. */
export const hubRoutes = [
  "/healthz",
  "/readyz",
  "/v1/audit-log",
  "/v1/jobs/{id}",
  "/v1/sources/{id}",
  "/v1/sources/{id}/backups",
  "/v1/sources/{id}/snapshots",
  "/v1/tenants",
  "/v1/tenants/{id}",
  "/v1/tenants/{id}/key/export",
  "/v1/tenants/{tenantId}/sources",
  "/v1/worker/heartbeat",
  "/v1/worker/jobs/{id}/claim",
  "/v1/worker/jobs/{id}/complete",
  "/v1/worker/jobs/{id}/fail",
  "/v1/worker/jobs/{id}/host-key",
  "/v1/worker/jobs/{id}/progress"
]
