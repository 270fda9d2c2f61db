import { Config } from "effect"

const seconds = (name: string, fallback: number, min: number, max: number) =>
  Config.number(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be from ${min} to ${max}`, validation: (n) => n >= min && n <= max })
  )

/** Tests and closed networks only: lets webhooks point at loopback and private addresses. */
export const WebhookAllowPrivate = Config.boolean("HUB_WEBHOOK_ALLOW_PRIVATE").pipe(Config.withDefault(false))
/** How often each Hub looks for webhook deliveries that are due. */
export const WebhookIntervalSeconds = seconds("HUB_WEBHOOK_INTERVAL_SECONDS", 5, 0.1, 300)
/** Backoff before retry n of a delivery is base * 2^(n-1), capped at one hour. */
export const WebhookRetryBaseSeconds = seconds("HUB_WEBHOOK_RETRY_BASE_SECONDS", 30, 0, 3600)
/** How long one POST may take, connect to last byte of the answer. */
export const WebhookTimeoutSeconds = seconds("HUB_WEBHOOK_TIMEOUT_SECONDS", 10, 0.1, 60)
/** How late a scheduled backup may succeed before backup.missed is raised. */
export const BackupMissedGraceSeconds = seconds("HUB_BACKUP_MISSED_GRACE_SECONDS", 3600, 0, 7 * 86_400)

/** A delivery is given up (dead) after this many failed attempts. */
export const MAX_DELIVERY_ATTEMPTS = 8
