import { HttpApi } from "@effect/platform"
import { XvaultApi } from "../../shared/contract/Api.js"

/** Paths the Hub serves beside the API itself. */
const EXTRA_ROUTES: ReadonlyArray<readonly [string, string]> = [["GET", "/openapi.json"], ["GET", "/docs"]]

/** Requests that match no route share one label value, so a scanner cannot blow up the series count. */
export const UNMATCHED_ROUTE = "unmatched"

interface Template {
  readonly method: string
  readonly route: string
  readonly pattern: RegExp
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const compile = (method: string, route: string): Template => ({
  method,
  route,
  pattern: new RegExp(`^${route.split("/").map((part) => (part.startsWith(":") ? "[^/]+" : escape(part))).join("/")}/?$`)
})

/**
 * Maps a request to the route template it matched (`/v1/sources/:id/backups`), never the raw
 * path: ids in metric labels would make one series per resource. Literal segments win over
 * parameters, as in the router (`/v1/restores` before `/v1/restores/:id`).
 */
export const routeMatcher = (routes: ReadonlyArray<readonly [method: string, route: string]>) => {
  const templates = routes
    .map(([method, route]) => compile(method, route))
    .sort((a, b) => (a.route.match(/:/g)?.length ?? 0) - (b.route.match(/:/g)?.length ?? 0))
  // a known path with the wrong method still gets its template: the status label tells the rest
  return (method: string, pathname: string): string =>
    (templates.find((t) => t.method === method && t.pattern.test(pathname)) ??
      templates.find((t) => t.pattern.test(pathname)))?.route ?? UNMATCHED_ROUTE
}

/** Every endpoint of the contract, as `[method, path]`. */
export const apiRoutes = (): Array<readonly [string, string]> => {
  const routes: Array<readonly [string, string]> = [...EXTRA_ROUTES]
  HttpApi.reflect(XvaultApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => routes.push([endpoint.method, endpoint.path])
  })
  return routes
}
