import { createServer } from "node:http"
import { HttpApiBuilder, HttpApiSwagger, HttpMiddleware, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import { XvaultApi } from "../shared/contract/Api.js"
import { Redis } from "../shared/queue/Redis.js"
import { ApiErrorsLive } from "./ApiErrors.js"
import { AuditHttpLive } from "./Audit/Http.js"
import { AuditLog } from "./Audit/AuditLog.js"
import { AuthenticationLive } from "./Auth/AuthenticationLive.js"
import { HealthHttpLive } from "./Health/Http.js"
import { HubHost, HubPort } from "./HubConfig.js"
import { JobsHttpLive } from "./Jobs/Http.js"
import { JobQueue } from "./Jobs/JobQueue.js"
import { Jobs } from "./Jobs/Jobs.js"
import { JobSweeperLive } from "./Jobs/JobSweeper.js"
import { HubMetrics } from "./Metrics/HubMetrics.js"
import { httpMetrics } from "./Metrics/HttpMetrics.js"
import { MetricsServerLive } from "./Metrics/MetricsServerLive.js"
import { migrate } from "./Migrator.js"
import { Sealer } from "./Secrets/Sealer.js"
import { SourcesHttpLive } from "./Sources/Http.js"
import { Sources } from "./Sources/Sources.js"
import { SnapshotsHttpLive } from "./Snapshots/Http.js"
import { SnapshotJobs } from "./Snapshots/SnapshotJobs.js"
import { Snapshots } from "./Snapshots/Snapshots.js"
import { RestoresHttpLive } from "./Restores/Http.js"
import { Restores } from "./Restores/Restores.js"
import { Retention } from "./Retention/Retention.js"
import { SchedulesHttpLive } from "./Schedules/Http.js"
import { Schedules } from "./Schedules/Schedules.js"
import { SchedulerLive } from "./Schedules/Scheduler.js"
import { SqlLive } from "./Sql.js"
import { TenantsHttpLive } from "./Tenants/Http.js"
import { Tenants } from "./Tenants/Tenants.js"
import { BackupClaims } from "./Workers/BackupClaims.js"
import { Completions } from "./Workers/Completions.js"
import { SnapshotClaims } from "./Workers/SnapshotClaims.js"
import { WorkersHttpLive } from "./Workers/Http.js"
import { Reconcile } from "./Workers/Reconcile.js"
import { WorkerJobs } from "./Workers/WorkerJobs.js"
import { WebhookDelivererLive } from "./Webhooks/Deliverer.js"
import { WebhooksHttpLive } from "./Webhooks/Http.js"
import { Outbox } from "./Webhooks/Outbox.js"
import { Webhooks } from "./Webhooks/Webhooks.js"

/** The API with every handler and service, but no server and no infrastructure. */
export const HubApiLive = HttpApiBuilder.api(XvaultApi).pipe(
  Layer.provide([
    TenantsHttpLive,
    SourcesHttpLive,
    AuditHttpLive,
    HealthHttpLive,
    JobsHttpLive,
    SnapshotsHttpLive,
    RestoresHttpLive,
    SchedulesHttpLive,
    WorkersHttpLive,
    WebhooksHttpLive,
    ApiErrorsLive
  ]),
  Layer.provide(AuthenticationLive),
  Layer.provide([
    Tenants.Default, Sources.Default, Snapshots.Default, Restores.Default, WorkerJobs.Default, Webhooks.Default, Reconcile.Default
  ]),
  Layer.provide(Retention.Default),
  Layer.provide([Schedules.Default, SnapshotJobs.Default]),
  Layer.provide([SnapshotClaims.Default, Completions.Default]),
  Layer.provide(BackupClaims.Default),
  Layer.provideMerge(Jobs.Default),
  Layer.provideMerge(AuditLog.Default),
  Layer.provideMerge(Outbox.Default),
  Layer.provideMerge(HubMetrics.Default),
  Layer.provide([Sealer.Default, JobQueue.Default])
)

export interface ServeOptions {
  readonly port?: number | undefined
  readonly host?: string | undefined
  /** Apply pending migrations before accepting requests. */
  readonly migrate?: boolean | undefined
}

const MigrateFirst = Layer.effectDiscard(migrate())

/**
 * Everything the Hub serves over HTTP (the API, /openapi.json and the Swagger UI at /docs),
 * plus its background duties: the job sweeper, the scheduler and the webhook deliverer, and
 * `/metrics` on HUB_METRICS_PORT.
 */
export const HubHttpLive = HttpApiBuilder.serve((app) => httpMetrics(HttpMiddleware.logger(app))).pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.merge(JobSweeperLive),
  Layer.merge(SchedulerLive),
  Layer.merge(WebhookDelivererLive.pipe(Layer.provide(Sealer.Default))),
  Layer.merge(MetricsServerLive),
  Layer.provide(HubApiLive)
)

/** The Hub process: HubHttpLive on a Node HTTP server, on PostgreSQL and Redis. */
export const HubLive = (options: ServeOptions = {}) =>
  HubHttpLive.pipe(
    HttpServer.withLogAddress,
    Layer.provide(NodeHttpServer.layerConfig(createServer, {
      port: options.port === undefined ? HubPort : Config.succeed(options.port),
      host: options.host === undefined ? HubHost : Config.succeed(options.host)
    })),
    Layer.provide(options.migrate ? MigrateFirst : Layer.empty),
    Layer.provide(Redis.Default),
    Layer.provide(SqlLive)
  )

export const serveHub = (options: ServeOptions = {}) => Layer.launch(HubLive(options)).pipe(Effect.asVoid)
