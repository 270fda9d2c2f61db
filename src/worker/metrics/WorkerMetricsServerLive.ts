import { Config, Effect, Layer, Option } from "effect"
import { serveMetrics } from "../../shared/metrics/MetricsServer.js"
import { WorkerMetrics } from "./WorkerMetrics.js"

/** Off by default: a worker serves no HTTP at all unless WORKER_METRICS_PORT is set. */
export const WorkerMetricsPort = Config.option(Config.port("WORKER_METRICS_PORT"))
/** Where the metrics listener binds; Prometheus in another container needs `0.0.0.0`. */
export const WorkerMetricsHost = Config.string("WORKER_METRICS_HOST").pipe(Config.withDefault("0.0.0.0"))

/** `GET /metrics` on WORKER_METRICS_PORT, when it is set. */
export const WorkerMetricsServerLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const port = yield* WorkerMetricsPort
    if (Option.isNone(port)) return
    const metrics = yield* WorkerMetrics
    yield* serveMetrics(metrics.registry, { port: port.value, host: yield* WorkerMetricsHost, setting: "WORKER_METRICS_PORT" })
  })
).pipe(Layer.provide(WorkerMetrics.Default))
