-- xVault v0 schema. docs/data-model.md explains each table and why it looks the way it does.

CREATE TABLE tenants (
  id                     uuid PRIMARY KEY,
  name                   text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  age_public_key         text NOT NULL CHECK (age_public_key LIKE 'age1%'),
  -- AGE-SECRET-KEY-1… sealed under the platform KEK, bound to (tenants, id, age_secret_key_sealed)
  age_secret_key_sealed  bytea NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
  id                   uuid PRIMARY KEY,
  tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
  name                 text NOT NULL,
  kind                 text NOT NULL DEFAULT 'sftp' CHECK (kind IN ('sftp')),
  host                 text NOT NULL,
  port                 integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  username             text NOT NULL,
  auth_method          text NOT NULL CHECK (auth_method IN ('password', 'private_key')),
  -- the password or the private key, sealed; write-only through the API
  credential_sealed    bytea NOT NULL,
  passphrase_sealed    bytea CHECK (passphrase_sealed IS NULL OR auth_method = 'private_key'),
  paths                text[] NOT NULL CHECK (cardinality(paths) >= 1),
  excludes             text[] NOT NULL DEFAULT '{}',
  -- SHA256:… ; pinned by the operator, or recorded on first successful connection
  host_key_fingerprint text CHECK (host_key_fingerprint IS NULL OR host_key_fingerprint LIKE 'SHA256:%'),
  host_key_pinned      boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);
CREATE INDEX sources_tenant_idx ON sources (tenant_id);

CREATE TABLE schedules (
  id                uuid PRIMARY KEY,
  source_id         uuid NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  cron              text NOT NULL,
  timezone          text NOT NULL DEFAULT 'UTC',
  enabled           boolean NOT NULL DEFAULT true,
  -- restic-style keep policy; '{}' keeps everything
  retention         jsonb NOT NULL DEFAULT '{}',
  -- the next due time; the scheduler claims due rows with FOR UPDATE SKIP LOCKED
  next_due_at       timestamptz,
  last_enqueued_at  timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_due_idx ON schedules (next_due_at) WHERE enabled;

CREATE TABLE workers (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
  version        text,
  free_bytes     bigint,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs (
  id                uuid PRIMARY KEY,
  type              text NOT NULL CHECK (type IN ('backup', 'delete_snapshot', 'restore', 'verify')),
  status            text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  source_id         uuid REFERENCES sources (id),
  -- backup: the snapshot id allocated up front; delete/restore/verify: the snapshot acted on
  snapshot_id       uuid,
  -- NULL: any worker may take it (backups); otherwise only this worker (its data lives there)
  target_worker_id  text REFERENCES workers (id),
  -- the worker holding the current lease, and the lease itself: a report must carry lease_id
  worker_id         text REFERENCES workers (id),
  attempt           integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts      integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  lease_id          uuid,
  lease_expires_at  timestamptz,
  -- ids and options only, never secrets
  params            jsonb NOT NULL DEFAULT '{}',
  progress          jsonb,
  result            jsonb,
  error             text,
  idempotency_key   text UNIQUE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((lease_id IS NULL) = (lease_expires_at IS NULL))
);
CREATE INDEX jobs_tenant_created_idx ON jobs (tenant_id, created_at DESC);
CREATE INDEX jobs_lease_expiry_idx ON jobs (lease_expires_at) WHERE status = 'running';
-- at most one backup of a source queued or running at a time
CREATE UNIQUE INDEX jobs_one_active_backup_per_source
  ON jobs (source_id) WHERE type = 'backup' AND status IN ('queued', 'running');

CREATE TABLE snapshots (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  source_id        uuid NOT NULL REFERENCES sources (id),
  job_id           uuid NOT NULL UNIQUE REFERENCES jobs (id),
  -- snapshots live on the disk of the worker that made them; only it can delete/restore/verify
  worker_id        text NOT NULL REFERENCES workers (id),
  storage_backend  text NOT NULL CHECK (storage_backend IN ('local_fs')),
  -- path relative to the worker's storage base
  locator          text NOT NULL CHECK (locator !~ '(^/|(^|/)\.\.(/|$))'),
  size_bytes       bigint NOT NULL CHECK (size_bytes >= 0),
  sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  file_count       bigint NOT NULL DEFAULT 0,
  dir_count        bigint NOT NULL DEFAULT 0,
  symlink_count    bigint NOT NULL DEFAULT 0,
  bytes_in         bigint NOT NULL DEFAULT 0,
  -- the age header (recipient stanzas): lets the Hub unwrap one file key for a restore
  age_header       text,
  manifest         jsonb,
  tags             text[] NOT NULL DEFAULT '{}',
  status           text NOT NULL DEFAULT 'available'
                   CHECK (status IN ('available', 'corrupt', 'deleting', 'deleted')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  verified_at      timestamptz,
  verify_error     text,
  deleted_at       timestamptz,
  CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
);
CREATE INDEX snapshots_source_created_idx ON snapshots (source_id, created_at DESC, id DESC);
CREATE INDEX snapshots_worker_idx ON snapshots (worker_id) WHERE status <> 'deleted';

CREATE TABLE audit_log (
  id             bigserial PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT now(),
  actor_role     text NOT NULL CHECK (actor_role IN ('admin', 'tenant', 'worker', 'system')),
  actor_subject  text NOT NULL,
  tenant_id      uuid,
  action         text NOT NULL,
  resource_type  text NOT NULL,
  resource_id    text,
  -- never secrets: only names, ids and flags
  details        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at DESC);
