import { Effect } from "effect"
import { type ArtifactReader, ArtifactStore } from "../storage/ArtifactStore.js"
import type { StorageFailed } from "../storage/StorageFailed.js"
import type { SnapshotToRead } from "../restore/SnapshotToRead.js"
import { SnapshotDamaged } from "./SnapshotDamaged.js"

/**
 * A stored snapshot's artifact, opened with what the Hub recorded (size, SHA-256). A locator
 * outside the store, a missing artifact or a wrong size is SnapshotDamaged: the data is not there.
 */
export const openSnapshot = (snapshot: SnapshotToRead, onRead: (bytes: number) => void) =>
  Effect.flatMap(ArtifactStore, (store) => store.open(snapshot.locator, snapshot, onRead)).pipe(
    Effect.catchTags({
      ArtifactUnreadable: (e) => Effect.fail(new SnapshotDamaged({ problem: e.problem })),
      LocatorRefused: (e) => Effect.fail(new SnapshotDamaged({ problem: e.message }))
    })
  )

/** The whole artifact hashed and compared with the Hub's record: a difference is SnapshotDamaged. */
export const checkWhole = (artifact: ArtifactReader): Effect.Effect<void, SnapshotDamaged | StorageFailed> =>
  Effect.catchTag(artifact.check, "ArtifactUnreadable", (e) => Effect.fail(new SnapshotDamaged({ problem: e.problem })))
