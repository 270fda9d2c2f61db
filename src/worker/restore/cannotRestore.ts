import type { SnapshotDamaged } from "../artifact/SnapshotDamaged.js"
import { RestoreFailed } from "./RestoreFailed.js"
import type { SnapshotToRead } from "./SnapshotToRead.js"

export const cannotRestore = (snapshot: SnapshotToRead, damaged: SnapshotDamaged) =>
  new RestoreFailed({ reason: "damaged", message: `snapshot ${snapshot.snapshotId} cannot be restored: ${damaged.problem}` })
