import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { XvaultApi } from "../../shared/contract/Api.js"
import { requireWorker } from "../Auth/Access.js"
import { Reconcile } from "./Reconcile.js"
import { WorkerJobs } from "./WorkerJobs.js"

export const WorkersHttpLive = HttpApiBuilder.group(XvaultApi, "workers", (handlers) =>
  Effect.gen(function*() {
    const workerJobs = yield* WorkerJobs
    const reconcile = yield* Reconcile
    return handlers
      .handle("heartbeat", ({ payload }) =>
        Effect.flatMap(requireWorker, (workerId) => Effect.as(workerJobs.heartbeat(workerId, payload), { workerId })))
      .handle("claim", ({ path }) => Effect.flatMap(requireWorker, (workerId) => workerJobs.claim(path.id, workerId)))
      .handle("progress", ({ path, payload }) =>
        Effect.flatMap(requireWorker, (workerId) => workerJobs.progress(path.id, workerId, payload.leaseId, payload.progress)))
      .handle("hostKey", ({ path, payload }) =>
        Effect.flatMap(requireWorker, (workerId) =>
          workerJobs.recordHostKey(path.id, workerId, payload.leaseId, payload.fingerprint)))
      .handle("complete", ({ path, payload }) =>
        Effect.flatMap(requireWorker, (workerId) => workerJobs.complete(path.id, workerId, payload)))
      .handle("fail", ({ path, payload }) =>
        Effect.flatMap(requireWorker, (workerId) => workerJobs.fail(path.id, workerId, payload)))
      .handle("reconcile", ({ payload }) => Effect.flatMap(requireWorker, (workerId) => reconcile.judge(workerId, payload.snapshots)))
  }))
