import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration, Effect, Redacted, Schedule } from "effect"
import { HubBaseUrl } from "../shared/config/Urls.js"
import { XvaultApi } from "../shared/contract/Api.js"
import type { JobId } from "../shared/contract/Ids.js"
import type { JobProgress } from "../shared/contract/Jobs.js"
import type { JobCompletion, StoredSnapshotDir } from "../shared/contract/Workers.js"
import { HubUnreachable, LeaseLost } from "./HubErrors.js"
import { WorkerMetrics } from "./metrics/WorkerMetrics.js"
import { SourceFailed } from "./source/SourceFailed.js"
import { WorkerToken } from "./WorkerConfig.js"

export { HubUnreachable, LeaseLost } from "./HubErrors.js"

/** Network trouble and Hub 5xx are worth waiting out; a refusal (404/409) is final. */
const whileHubUnreachable = {
  schedule: Schedule.exponential(Duration.millis(250)).pipe(
    Schedule.union(Schedule.spaced(Duration.seconds(5))),
    Schedule.upTo(Duration.minutes(2))
  ),
  while: (e: { readonly _tag: string }) =>
    e._tag === "RequestError" || e._tag === "ResponseError" || e._tag === "InternalError"
} as const

/**
 * A report's failure, in the worker's terms: the Hub refusing the lease (409 Conflict, 404) is
 * LeaseLost; a pinned host key that differs (409 HostKeyMismatch) is the source's problem and
 * fails the job at once; anything else, after the retries, is HubUnreachable.
 */
const asWorkerError = (e: { readonly _tag: string; readonly message: string }): LeaseLost | HubUnreachable | SourceFailed => {
  switch (e._tag) {
    case "Conflict":
    case "NotFound":
      return new LeaseLost({ message: e.message })
    case "HostKeyMismatch":
      return new SourceFailed({ reason: "host_key_mismatch", message: e.message })
    default:
      return new HubUnreachable({ message: `the Hub did not take the report: ${e.message}` })
  }
}

/** The worker's typed client of the Hub, authenticated with WORKER_TOKEN. */
export class HubReporter extends Effect.Service<HubReporter>()("worker/HubReporter", {
  effect: Effect.gen(function*() {
    const baseUrl = yield* HubBaseUrl
    const token = yield* WorkerToken
    const metrics = yield* WorkerMetrics
    const hub = yield* HttpApiClient.make(XvaultApi, {
      baseUrl,
      transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(Redacted.value(token)))
    })
    const report = <A, E extends { readonly _tag: string; readonly message: string }>(effect: Effect.Effect<A, E>) =>
      Effect.mapError(Effect.retry(effect, whileHubUnreachable), asWorkerError)

    return {
      heartbeat: (beat: { readonly version: string; readonly freeBytes: number }) =>
        hub.workers.heartbeat({ payload: beat }),
      /** Fails with Conflict/NotFound when the job is not ours to run (finished, taken, unknown). */
      claim: (id: JobId) =>
        Effect.retry(hub.workers.claim({ path: { id } }), whileHubUnreachable).pipe(Effect.tap((claim) => metrics.claimed(claim))),
      progress: (id: JobId, leaseId: string, progress: JobProgress) =>
        report(hub.workers.progress({ path: { id }, payload: { leaseId, progress } })).pipe(
          Effect.tap(() => metrics.progressed(id, progress))
        ),
      hostKey: (id: JobId, leaseId: string, fingerprint: string) =>
        report(hub.workers.hostKey({ path: { id }, payload: { leaseId, fingerprint } })),
      complete: (id: JobId, completion: JobCompletion) =>
        // the generated client's parameter is a union over the payload's members; one completion is one of them
        report(hub.workers.complete({ path: { id }, payload: completion } as Parameters<typeof hub.workers.complete>[0])).pipe(
          // refused (lease lost) or never answered: the attempt's work is discarded, so it counts as failed
          Effect.onExit((exit) => Effect.sync(() => (exit._tag === "Success" ? metrics.completed(id, completion) : metrics.failed(id))))
        ),
      /** Which of these snapshot directories the Hub says may go (reconcile). */
      reconcile: (snapshots: ReadonlyArray<StoredSnapshotDir>) =>
        Effect.retry(hub.workers.reconcile({ payload: { snapshots } }), whileHubUnreachable),
      fail: (id: JobId, leaseId: string, error: string, retryable: boolean) =>
        report(hub.workers.fail({ path: { id }, payload: { leaseId, error, retryable } })).pipe(
          Effect.ensuring(Effect.sync(() => metrics.failed(id)))
        )
    } as const
  }),
  dependencies: [FetchHttpClient.layer, WorkerMetrics.Default]
}) {}
