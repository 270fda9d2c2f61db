import { HttpServer } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { serveMetrics } from "../../shared/metrics/MetricsServer.js"
import { HubMetricsPort } from "../HubConfig.js"
import { HubMetrics } from "./HubMetrics.js"

/** `GET /metrics` on HUB_METRICS_PORT, on the address the API listens on, when the port is set. */
export const MetricsServerLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const port = yield* HubMetricsPort
    if (Option.isNone(port)) return
    const metrics = yield* HubMetrics
    const { address } = yield* HttpServer.HttpServer
    const host = address._tag === "TcpAddress" ? address.hostname : "127.0.0.1"
    yield* serveMetrics(metrics.registry, { port: port.value, host, setting: "HUB_METRICS_PORT" })
  })
)
