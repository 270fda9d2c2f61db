import { SqlClient } from "@effect/sql"
import { Clock, Duration, Effect, Either, Layer, Redacted, Schedule } from "effect"
import { retryDelaySeconds } from "../Jobs/Backoff.js"
import { sealContext, SealedColumns } from "../Secrets/SealedColumns.js"
import { Sealer } from "../Secrets/Sealer.js"
import { signatureOf } from "./Signature.js"
import {
  MAX_DELIVERY_ATTEMPTS,
  WebhookAllowPrivate,
  WebhookIntervalSeconds,
  WebhookRetryBaseSeconds,
  WebhookTimeoutSeconds
} from "./WebhookConfig.js"
import { checkWebhookUrl } from "./WebhookUrl.js"

interface DueRow {
  readonly id: string
  readonly attempts: number
  readonly event_id: string
  readonly type: string
  readonly body: string
  readonly webhook_id: string
  readonly url: string
  readonly secret_sealed: Uint8Array
}

interface Outcome {
  readonly ok: boolean
  readonly statusCode: number | null
  readonly error: string | null
}

/** Deliveries one Hub takes per tick; the rest wait for the next tick or another Hub. */
const BATCH = 20

const describeFetchError = (e: unknown, timeoutSeconds: number): string => {
  const error = e as Error & { cause?: { code?: string; message?: string } }
  if (error.name === "TimeoutError" || error.name === "AbortError") return `no answer within ${timeoutSeconds} s`
  return error.cause?.code ?? error.cause?.message ?? error.message
}

/**
 * Sends due webhook deliveries from the outbox. The rows stay locked (FOR UPDATE SKIP LOCKED)
 * from the claim until the outcome is recorded, so several Hubs never send the same delivery
 * at once. Delivery is at least once: a Hub that dies after the POST but before the commit
 * sends it again, with the same X-Xvault-Event-Id for the receiver to drop the duplicate.
 */
export const deliverDue = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const allowPrivate = yield* WebhookAllowPrivate
  const retryBase = yield* WebhookRetryBaseSeconds
  const timeoutSeconds = yield* WebhookTimeoutSeconds

  const post = (row: DueRow) =>
    Effect.gen(function*() {
      const url = yield* Effect.either(checkWebhookUrl(row.url, allowPrivate))
      if (Either.isLeft(url)) return { ok: false, statusCode: null, error: url.left.message } satisfies Outcome
      const secret = yield* Effect.either(sealer.open(row.secret_sealed, sealContext(SealedColumns.webhookSecret, row.webhook_id)))
      if (Either.isLeft(secret)) return { ok: false, statusCode: null, error: `cannot open the webhook's secret: ${secret.left.reason}` }
      const timestamp = String(Math.floor((yield* Clock.currentTimeMillis) / 1000))
      // a Hub shutting down aborts its POSTs (interrupt), and none outlives the timeout
      return yield* Effect.tryPromise(async (interrupted) => {
        const response = await fetch(url.right, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.any([interrupted, AbortSignal.timeout(timeoutSeconds * 1000)]),
          headers: {
            "content-type": "application/json",
            "user-agent": "xvault-webhooks",
            "x-xvault-event": row.type,
            "x-xvault-event-id": row.event_id,
            "x-xvault-delivery-attempt": String(row.attempts + 1),
            "x-xvault-timestamp": timestamp,
            "x-xvault-signature": signatureOf(Redacted.value(secret.right), timestamp, row.body)
          },
          body: row.body
        })
        await response.body?.cancel()
        const ok = response.status >= 200 && response.status < 300
        return { ok, statusCode: response.status, error: ok ? null : `the receiver answered ${response.status}` } satisfies Outcome
      }).pipe(Effect.catchAll((e) => Effect.succeed({ ok: false, statusCode: null, error: describeFetchError(e.error, timeoutSeconds) })))
    })

  const record = (row: DueRow, outcome: Outcome) =>
    Effect.gen(function*() {
      const attempt = row.attempts + 1
      yield* sql`INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error)
                 VALUES (${row.id}, ${attempt}, ${outcome.statusCode}, ${outcome.error})`
      const status = outcome.ok ? "delivered" : attempt >= MAX_DELIVERY_ATTEMPTS ? "dead" : "pending"
      const delay = status === "pending" ? retryDelaySeconds(retryBase, attempt + 1) : 0
      yield* sql`
        UPDATE webhook_deliveries SET status = ${status}, attempts = ${attempt},
               next_attempt_at = now() + make_interval(secs => ${delay}),
               finished_at = ${status === "pending" ? sql`NULL` : sql`now()`}
        WHERE id = ${row.id}`
      if (!outcome.ok) {
        yield* Effect.logWarning(
          `webhook ${row.webhook_id}: ${row.type} event ${row.event_id}, attempt ${attempt}: ${outcome.error}` +
            (status === "dead" ? "; giving up" : `; retrying in ${delay} s`)
        )
      }
    })

  yield* Effect.gen(function*() {
    const due = yield* sql<DueRow>`
      SELECT d.id, d.attempts, d.event_id, e.type, e.body, d.webhook_id, w.url, w.secret_sealed
      FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= now()
      ORDER BY d.next_attempt_at LIMIT ${BATCH}
      FOR UPDATE OF d SKIP LOCKED`
    // the POSTs run side by side; their outcomes are written one after another on the transaction's connection
    const outcomes = yield* Effect.forEach(due, post, { concurrency: 4 })
    yield* Effect.forEach(due, (row, i) => record(row, outcomes[i]!), { discard: true })
  }).pipe(sql.withTransaction)
}).pipe(Effect.catchAllCause((cause) => Effect.logError("webhook delivery failed", cause)))

export const WebhookDelivererLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const interval = yield* WebhookIntervalSeconds
    yield* Effect.forkScoped(deliverDue.pipe(Effect.repeat(Schedule.spaced(Duration.seconds(interval)))))
  })
)
