-- Reconcile asks, for each snapshot directory a worker holds, which jobs name that snapshot
-- (its backup, deletes, verifies, restores). Without an index that is a scan of every job.
CREATE INDEX jobs_snapshot_idx ON jobs (snapshot_id) WHERE snapshot_id IS NOT NULL;
