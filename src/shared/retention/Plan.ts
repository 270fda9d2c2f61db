import { applyResticPolicy, newestFirst, type RetentionPlan, type RetentionSnapshot } from "./Apply.js"
import { isEmptyPolicy, type RetentionPolicy } from "./Policy.js"

export const EMPTY_POLICY_REASON = "policy is empty (keeps everything)"
export const NEWEST_REASON = "newest snapshot (always kept)"

/**
 * What xVault keeps and removes: restic's policy with two safety differences. An empty policy
 * keeps everything, and the newest snapshot is always kept, so retention can never leave a
 * source without a backup. Pass only `available` snapshots: others are no copy to keep.
 */
export const planRetention = (
  snapshots: ReadonlyArray<RetentionSnapshot>,
  policy: RetentionPolicy,
  timeZone = "UTC",
  now: Date = new Date()
): RetentionPlan => {
  if (isEmptyPolicy(policy)) {
    return { keep: newestFirst(snapshots).map((s) => ({ id: s.id, reasons: [EMPTY_POLICY_REASON] })), remove: [] }
  }
  const plan = applyResticPolicy(snapshots, policy, timeZone, now)
  const newest = newestFirst(snapshots)[0]
  if (newest === undefined) return plan
  if (plan.keep[0]?.id === newest.id) {
    plan.keep[0].reasons.push(NEWEST_REASON)
    return plan
  }
  return {
    keep: [{ id: newest.id, reasons: [NEWEST_REASON] }, ...plan.keep],
    remove: plan.remove.filter((s) => s.id !== newest.id)
  }
}
