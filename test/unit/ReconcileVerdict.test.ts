import { describe, expect, it } from "vitest"
import type { SnapshotId, SourceId, TenantId } from "../../src/shared/contract/Ids.js"
import { type JobFacts, reconcileVerdict, type SnapshotFacts } from "../../src/hub/Workers/reconcileVerdict.js"

const dir = {
  tenantId: "11111111-1111-4111-8111-111111111111" as TenantId,
  sourceId: "22222222-2222-4222-8222-222222222222" as SourceId,
  snapshotId: "33333333-3333-4333-8333-333333333333" as SnapshotId
}
const row = (status: SnapshotFacts["status"], over: Partial<SnapshotFacts> = {}): SnapshotFacts => ({
  tenant_id: dir.tenantId, source_id: dir.sourceId, worker_id: "w1", status, ...over
})
const job = (type: string, status: string, over: Partial<JobFacts> = {}): JobFacts => ({
  type, status, tenant_id: dir.tenantId, source_id: dir.sourceId, ...over
})

describe("reconcile verdicts", () => {
  it("never removes a snapshot with a live row, on this worker or another", () => {
    for (const status of ["available", "corrupt", "deleting"] as const) {
      expect(reconcileVerdict("w1", dir, row(status), [job("backup", "succeeded")])).toBe("keep")
      expect(reconcileVerdict("w1", dir, row(status, { worker_id: "w2" }), [job("backup", "succeeded")])).toBe("keep")
    }
  })

  it("never removes a snapshot a job is queued or running on", () => {
    expect(reconcileVerdict("w1", dir, undefined, [job("backup", "running")])).toBe("keep")
    expect(reconcileVerdict("w1", dir, undefined, [job("backup", "failed"), job("backup", "queued")])).toBe("keep")
    expect(reconcileVerdict("w1", dir, row("deleted"), [job("backup", "succeeded"), job("verify", "queued")])).toBe("keep")
  })

  it("removes a directory whose backup ended without a row (the worker died before the Hub recorded it)", () => {
    expect(reconcileVerdict("w1", dir, undefined, [job("backup", "failed")])).toBe("remove")
    // the job says another tenant or source: the path lies, leave it alone
    expect(reconcileVerdict("w1", dir, undefined, [job("backup", "failed", { source_id: "other" })])).toBe("keep")
  })

  it("removes a deleted snapshot's leftover on its own worker, only at its own place", () => {
    expect(reconcileVerdict("w1", dir, row("deleted"), [job("backup", "succeeded"), job("delete_snapshot", "succeeded")])).toBe("remove")
    expect(reconcileVerdict("w1", dir, row("deleted", { worker_id: "w2" }), [])).toBe("keep")
    expect(reconcileVerdict("w1", dir, row("deleted", { tenant_id: "other" }), [])).toBe("keep")
  })

  it("keeps what the database has never heard of, and says so", () => {
    expect(reconcileVerdict("w1", dir, undefined, [])).toBe("unknown")
    expect(reconcileVerdict("w1", dir, undefined, [job("verify", "failed")])).toBe("keep")
  })
})
