import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import { CurrentPrincipal } from "../auth/Principal.js"
import { UnauthorizedWire } from "./ApiError.js"

/** Bearer JWT on every /v1 route; the Hub provides the verifying implementation. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("shared/Authentication", {
  failure: UnauthorizedWire,
  provides: CurrentPrincipal,
  security: { bearer: HttpApiSecurity.bearer }
}) {}
