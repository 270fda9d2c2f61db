import { Effect } from "effect"
import { CurrentPrincipal } from "../../shared/auth/Principal.js"
import { Forbidden, NotFound } from "../../shared/contract/ApiError.js"
import type { TenantId } from "../../shared/contract/Ids.js"

const workerForbidden = () => new Forbidden({ message: "worker tokens may only use the worker endpoints" })

export const requireAdmin = Effect.flatMap(CurrentPrincipal, (p) =>
  p.role === "admin" ? Effect.void : Effect.fail<Forbidden>(new Forbidden({ message: `role ${p.role} may not do this; admin only` })))

/**
 * Admins see every tenant; a tenant token sees only its own, and another tenant's
 * resources look exactly like missing ones (404) so ids cannot be probed.
 */
export const requireTenantAccess = (tenantId: TenantId, notFound: () => NotFound) =>
  Effect.flatMap(CurrentPrincipal, (p): Effect.Effect<void, NotFound | Forbidden> => {
    switch (p.role) {
      case "admin":
        return Effect.void
      case "tenant":
        return p.tenantId === tenantId ? Effect.void : Effect.fail(notFound())
      case "worker":
        return Effect.fail(workerForbidden())
    }
  })

/** The tenant a caller is confined to, or undefined for admins. */
export const tenantScope = Effect.flatMap(CurrentPrincipal, (p): Effect.Effect<TenantId | undefined, Forbidden> => {
  switch (p.role) {
    case "admin":
      return Effect.succeed(undefined)
    case "tenant":
      return Effect.succeed(p.tenantId)
    case "worker":
      return Effect.fail(workerForbidden())
  }
})

/** Worker endpoints: only a worker token, and the worker id comes from the token, never the request. */
export const requireWorker = Effect.flatMap(CurrentPrincipal, (p): Effect.Effect<string, Forbidden> =>
  p.role === "worker"
    ? Effect.succeed(p.workerId)
    : Effect.fail(new Forbidden({ message: `role ${p.role} may not use the worker endpoints` })))
