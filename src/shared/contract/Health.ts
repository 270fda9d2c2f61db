import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { NotReadyWire } from "./ApiError.js"

export const Liveness = Schema.Struct({ status: Schema.Literal("ok"), version: Schema.String })
export const Readiness = Schema.Struct({
  status: Schema.Literal("ready"),
  database: Schema.Literal("ok"),
  redis: Schema.Literal("ok")
})

/** Unauthenticated probes for orchestrators: liveness never touches dependencies, readiness does. */
export class HealthGroup extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("healthz", "/healthz").addSuccess(Liveness))
  .add(HttpApiEndpoint.get("readyz", "/readyz").addSuccess(Readiness).addError(NotReadyWire))
{}
