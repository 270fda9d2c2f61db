import { HttpMiddleware, HttpServerError, HttpServerRequest } from "@effect/platform"
import { Effect } from "effect"
import { HubMetrics } from "./HubMetrics.js"
import { apiRoutes, routeMatcher } from "./RouteTemplates.js"

const routeOf = routeMatcher(apiRoutes())

/**
 * Counts and times every request by its route template (`/v1/jobs/:id`, never the raw path,
 * which would make a series per id) and the status it was answered with, errors included.
 */
export const httpMetrics = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const metrics = yield* HubMetrics
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = performance.now()
    const pathname = new URL(request.url, "http://hub").pathname
    return yield* Effect.onExit(app, (exit) =>
      Effect.sync(() => {
        const status = exit._tag === "Success" ? exit.value.status : HttpServerError.causeResponseStripped(exit.cause)[0].status
        metrics.requestAnswered({ method: request.method, route: routeOf(request.method, pathname), status }, (performance.now() - started) / 1000)
      }))
  })
)
