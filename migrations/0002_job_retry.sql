-- When a queued job may run: now for a new job, later for a retry waiting out its backoff.
-- The Hub re-publishes queued jobs whose queue message may have been lost (Redis restarted
-- without persistence), but never before this time.
ALTER TABLE jobs ADD COLUMN available_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX jobs_queued_available_idx ON jobs (available_at) WHERE status = 'queued';
