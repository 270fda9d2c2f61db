-- One schedule per source: its cron, time zone and retention policy.
ALTER TABLE schedules ADD CONSTRAINT schedules_one_per_source UNIQUE (source_id);
-- At most one deletion of a snapshot queued or running at a time: retention applied twice
-- (after a backup and by hand) must not queue the same delete twice.
CREATE UNIQUE INDEX jobs_one_active_delete_per_snapshot
  ON jobs (snapshot_id) WHERE type = 'delete_snapshot' AND status IN ('queued', 'running');
-- restore list: a tenant's restores, newest first
CREATE INDEX jobs_type_created_idx ON jobs (type, created_at DESC, id DESC);
