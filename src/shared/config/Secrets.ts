import { Config, Redacted } from "effect"

/** HS256 is only as strong as its key: refuse short secrets outright. */
export const JwtSecret = Config.redacted("HUB_JWT_SECRET").pipe(
  Config.validate({
    message: "HUB_JWT_SECRET must be at least 32 characters (generate one with: openssl rand -base64 48)",
    validation: (secret) => Redacted.value(secret).length >= 32
  })
)
