import { Chunk, Duration, Effect, Schedule, Schema } from "effect"
import { RECONCILE_BATCH, type ReconcileVerdict, StoredSnapshotDir } from "../../shared/contract/Workers.js"
import { durationSeconds } from "../../shared/config/DurationSeconds.js"
import { parseUnitLocator, snapshotDirLocator } from "../../shared/storage/Locators.js"
import { HubReporter } from "../HubReporter.js"
import { WorkerMetrics } from "../metrics/WorkerMetrics.js"
import { ArtifactStore } from "../storage/ArtifactStore.js"

/** How often a worker reconciles its volume with the Hub (and at start-up). */
export const ReconcileIntervalSeconds = durationSeconds("WORKER_RECONCILE_INTERVAL", "24h")
/** Archive restores (`restore.tar`) older than this are removed from the volume. */
export const RestoreTtlSeconds = durationSeconds("WORKER_RESTORE_TTL", "7d")

const isSnapshotDir = Schema.is(StoredSnapshotDir)

export interface ReconcileOutcome {
  readonly listed: number
  readonly removed: number
  readonly unknown: number
  readonly restoresRemoved: number
}

/**
 * One pass: report every snapshot directory to the Hub (in batches under its body limit),
 * remove exactly those it names, and remove archive restores past their TTL. The Hub decides
 * what is garbage; the worker never removes a snapshot on its own judgement.
 */
export const reconcileOnce = (restoreTtlSeconds: number) =>
  Effect.gen(function*() {
    const hub = yield* HubReporter
    const metrics = yield* WorkerMetrics
    const store = yield* ArtifactStore
    const dirs = (yield* store.listUnits("snapshots")).flatMap(({ locator }) => {
      const unit = parseUnitLocator(locator)
      const dir = unit && { tenantId: unit.tenantId, sourceId: unit.sourceId, snapshotId: unit.id }
      // only directories whose names are ids can be judged by the Hub; anything else is left alone
      return isSnapshotDir(dir) ? [dir] : []
    })
    let removed = 0
    let unknown = 0
    for (const batch of Chunk.chunksOf(Chunk.fromIterable(dirs), RECONCILE_BATCH)) {
      const snapshots: ReadonlyArray<StoredSnapshotDir> = Chunk.toReadonlyArray(batch)
      const verdict: ReconcileVerdict = yield* hub.reconcile(snapshots)
      const remove = new Set<string>(verdict.remove)
      for (const dir of snapshots.filter((d) => remove.has(d.snapshotId))) {
        yield* store.discard(snapshotDirLocator(dir))
        yield* Effect.logWarning(`reconcile: removed snapshot directory ${dir.snapshotId} (tenant ${dir.tenantId}, source ${dir.sourceId}): the Hub has no live record of it`)
        removed++
      }
      unknown += verdict.unknown.length
    }
    if (unknown > 0) yield* Effect.logWarning(`reconcile: kept ${unknown} snapshot director(ies) the Hub's database has never heard of`)

    const cutoff = Date.now() - restoreTtlSeconds * 1000
    let restoresRemoved = 0
    for (const archive of yield* store.listUnits("restores")) {
      if (archive.completedAt.getTime() >= cutoff) continue
      yield* store.discard(archive.locator)
      restoresRemoved++
    }
    const outcome: ReconcileOutcome = { listed: dirs.length, removed, unknown, restoresRemoved }
    yield* metrics.reconciled(outcome)
    yield* Effect.logInfo(
      `reconcile done: ${outcome.listed} snapshot director(ies) listed, ${removed} removed, ${unknown} unknown kept, ${restoresRemoved} expired restore(s) removed`
    )
    return outcome
  })

/**
 * Reads the configuration (so a malformed value stops the worker at start-up, exit 78) and
 * returns the loop to fork: reconcile now, then every WORKER_RECONCILE_INTERVAL. A failed pass
 * (Hub unreachable, volume trouble) is logged and tried again at the next interval; it never
 * stops the worker.
 */
export const reconcileEvery = Effect.gen(function*() {
  const interval = yield* ReconcileIntervalSeconds
  const ttl = yield* RestoreTtlSeconds
  const pass = reconcileOnce(ttl).pipe(
    Effect.catchAllCause((cause) => Effect.logWarning("reconcile failed; trying again at the next interval", cause))
  )
  return Effect.repeat(pass, Schedule.spaced(Duration.seconds(interval))).pipe(Effect.asVoid)
  })
