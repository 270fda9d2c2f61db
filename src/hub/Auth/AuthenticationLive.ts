import { Clock, Effect, Layer, Redacted } from "effect"
import { verify } from "../../shared/auth/Jwt.js"
import { JwtSecret } from "../../shared/config/Secrets.js"
import { Unauthorized } from "../../shared/contract/ApiError.js"
import { Authentication } from "../../shared/contract/Authentication.js"

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function*() {
    const secret = yield* JwtSecret
    return {
      bearer: (token) =>
        Effect.gen(function*() {
          const raw = Redacted.value(token)
          if (raw === "") return yield* new Unauthorized({ message: "missing bearer token (the CLI reads it from XVAULT_TOKEN or --token)" })
          const now = new Date(yield* Clock.currentTimeMillis)
          return yield* verify(secret, raw, now).pipe(
            Effect.mapError((e) => new Unauthorized({ message: `invalid token: ${e.reason}` }))
          )
        })
    }
  })
)
