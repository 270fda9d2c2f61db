import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { NotFound } from "../../shared/contract/ApiError.js"
import { tenantScope } from "../Auth/Access.js"
import { AuditLog } from "./AuditLog.js"

export const AuditHttpLive = HttpApiBuilder.group(XvaultApi, "audit", (handlers) =>
  Effect.gen(function*() {
    const audit = yield* AuditLog
    return handlers.handle("list", ({ urlParams }) =>
      Effect.gen(function*() {
        const confinedTo = yield* tenantScope
        // a tenant asking for another tenant's log gets the same answer as for a missing one
        if (confinedTo !== undefined && urlParams.tenantId !== undefined && urlParams.tenantId !== confinedTo) {
          return yield* new NotFound({ message: `tenant ${urlParams.tenantId} not found` })
        }
        return yield* audit.list({
          tenantId: confinedTo ?? urlParams.tenantId,
          limit: urlParams.limit ?? 100,
          before: urlParams.before
        })
      }))
  }))
