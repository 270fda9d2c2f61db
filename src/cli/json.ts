import { DateTime, Schema } from "effect"
import type { AuditEntry } from "../shared/contract/Audit.js"
import { type Job, JobResult } from "../shared/contract/Jobs.js"
import type { RetentionPlan, Schedule } from "../shared/contract/Schedules.js"
import type { Snapshot } from "../shared/contract/Snapshots.js"
import { Source } from "../shared/contract/Sources.js"
import type { Tenant } from "../shared/contract/Tenants.js"

/** The stable --json shape of a source: the API's (camelCase, its kind's fields at top level; never credentials). */
export const sourceJson = (s: Source) => Schema.encodeSync(Source)(s)

/** The stable --json shape of a tenant. */
export const tenantJson = (t: Tenant) => ({
  id: t.id,
  name: t.name,
  publicKey: t.publicKey,
  createdAt: DateTime.formatIso(t.createdAt)
})

/** The stable --json shape of an audit log entry. */
export const auditEntryJson = (e: AuditEntry) => ({
  id: e.id,
  at: DateTime.formatIso(e.at),
  actorRole: e.actorRole,
  actorSubject: e.actorSubject,
  tenantId: e.tenantId,
  action: e.action,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  details: e.details
})

const isoOrNull = (d: DateTime.Utc | null) => (d === null ? null : DateTime.formatIso(d))

/** The stable --json shape of a job; progress and result are null until the worker reports them. */
export const jobJson = (j: Job) => ({
  id: j.id,
  type: j.type,
  status: j.status,
  tenantId: j.tenantId,
  sourceId: j.sourceId,
  snapshotId: j.snapshotId,
  attempt: j.attempt,
  maxAttempts: j.maxAttempts,
  workerId: j.workerId,
  tags: j.tags,
  progress: j.progress === null ? null : {
    files: j.progress.files,
    dirs: j.progress.dirs,
    symlinks: j.progress.symlinks,
    bytesRead: j.progress.bytesRead,
    bytesWritten: j.progress.bytesWritten
  },
  result: j.result === null ? null : Schema.encodeSync(JobResult)(j.result),
  restore: j.restore,
  error: j.error,
  createdAt: DateTime.formatIso(j.createdAt),
  startedAt: isoOrNull(j.startedAt),
  finishedAt: isoOrNull(j.finishedAt)
})

/** The stable --json shape of a snapshot. */
export const snapshotJson = (s: Snapshot) => ({
  id: s.id,
  tenantId: s.tenantId,
  sourceId: s.sourceId,
  jobId: s.jobId,
  workerId: s.workerId,
  storageBackend: s.storageBackend,
  locator: s.locator,
  sizeBytes: s.sizeBytes,
  sha256: s.sha256,
  fileCount: s.fileCount,
  dirCount: s.dirCount,
  symlinkCount: s.symlinkCount,
  bytesIn: s.bytesIn,
  tags: s.tags,
  status: s.status,
  createdAt: DateTime.formatIso(s.createdAt),
  verifiedAt: isoOrNull(s.verifiedAt),
  verifyError: s.verifyError,
  deletedAt: isoOrNull(s.deletedAt)
})

/** The stable --json shape of a schedule; nextDueAt is null while it is disabled. */
export const scheduleJson = (s: Schedule) => ({
  id: s.id,
  tenantId: s.tenantId,
  sourceId: s.sourceId,
  cron: s.cron,
  timezone: s.timezone,
  enabled: s.enabled,
  retention: s.retention,
  verifyEvery: s.verifyEvery,
  nextDueAt: isoOrNull(s.nextDueAt),
  lastEnqueuedAt: isoOrNull(s.lastEnqueuedAt),
  createdAt: DateTime.formatIso(s.createdAt),
  updatedAt: DateTime.formatIso(s.updatedAt)
})

/** The stable --json shape of what `retention apply` did: the plan and the delete jobs it queued. */
export const retentionPlanJson = (p: RetentionPlan) => ({
  policy: p.policy,
  timezone: p.timezone,
  keep: p.keep.map((k) => ({ id: k.id, createdAt: DateTime.formatIso(k.createdAt), reasons: k.reasons })),
  remove: p.remove.map((r) => ({ id: r.id, createdAt: DateTime.formatIso(r.createdAt), deleteJobId: r.deleteJobId })),
  deleteJobs: p.deleteJobs
})
