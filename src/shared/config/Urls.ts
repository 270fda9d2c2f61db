import { Config, Either, Redacted } from "effect"

/** A URL-valued secret (it may embed a password): validated by scheme, never echoed back. */
const secretUrl = (name: string, schemes: ReadonlyArray<string>, example: string) =>
  Config.redacted(name).pipe(
    Config.validate({
      message: `${name} must be a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")} (e.g. ${example})`,
      validation: (url) =>
        Either.try(() => new URL(Redacted.value(url))).pipe(
          Either.match({ onLeft: () => false, onRight: (u) => schemes.includes(u.protocol) })
        )
    })
  )

export const DatabaseUrl = secretUrl("DATABASE_URL", ["postgres:", "postgresql:"], "postgres://user@host:5432/db")
export const RedisUrl = secretUrl("REDIS_URL", ["redis:", "rediss:"], "redis://127.0.0.1:6379")

export const HubBaseUrl = Config.string("HUB_BASE_URL").pipe(
  Config.withDefault("http://127.0.0.1:8080"),
  Config.validate({
    message: "HUB_BASE_URL must be an http:// or https:// URL",
    validation: (url) => /^https?:\/\/[^\s]+$/.test(url)
  })
)
