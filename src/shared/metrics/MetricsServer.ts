import { createServer, type Server } from "node:http"
import { Data, Effect } from "effect"
import type { Registry } from "prom-client"

export class MetricsServerFailed extends Data.TaggedError("MetricsServerFailed")<{ readonly message: string }> {}

/**
 * A plain node:http listener that answers `GET /metrics` with the registry in Prometheus text
 * format and 404 to anything else. It is separate from any API so that it can be kept off
 * the public network (nothing else is served there) and so a slow scrape never queues behind
 * API traffic. Closed when the scope closes.
 */
export const serveMetrics = (
  registry: Registry,
  options: { readonly port: number; readonly host: string; /** the variable that set the port, for the error */ readonly setting: string }
) =>
  Effect.acquireRelease(
    Effect.async<Server, MetricsServerFailed>((resume) => {
      const server = createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://metrics")
        if (url.pathname !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD")) {
          response.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n")
          return
        }
        registry.metrics().then(
          (body) => response.writeHead(200, { "content-type": registry.contentType }).end(request.method === "HEAD" ? undefined : body),
          (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(`cannot collect metrics: ${String(error)}\n`)
        )
      })
      server.once("error", (e) => resume(Effect.fail(new MetricsServerFailed({ message: `cannot serve metrics on ${options.host}:${options.port} (${options.setting}): ${e.message}` }))))
      server.listen(options.port, options.host, () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
      server.closeAllConnections()
    })
  ).pipe(Effect.tap(() => Effect.logInfo(`metrics on http://${options.host}:${options.port}/metrics`)))
