-- Tenant webhooks, fed by a durable outbox: an event row is written in the same transaction
-- as what it reports (a job's final state, a verification's verdict), so a Hub that dies
-- right after the commit still delivers it after a restart. docs/data-model.md explains why.

CREATE TABLE webhooks (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url            text NOT NULL CHECK (url ~ '^https?://'),
  events         text[] NOT NULL CHECK (cardinality(events) >= 1 AND events <@ ARRAY[
                   'backup.failed', 'backup.succeeded', 'backup.missed', 'snapshot.corrupt']::text[]),
  -- the HMAC key, sealed and bound to (webhooks, id, secret_sealed); shown once on create
  secret_sealed  bytea NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_tenant_idx ON webhooks (tenant_id);

-- One row per event that at least one webhook subscribed to. `body` is the exact JSON that is
-- signed and sent, fixed at the event so every retry sends the same bytes. Never secrets.
CREATE TABLE webhook_events (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type         text NOT NULL,
  body         text NOT NULL,
  occurred_at  timestamptz NOT NULL
);

-- The outbox: one row per (event, webhook). Deliverers in every Hub claim due rows with
-- FOR UPDATE SKIP LOCKED, so each is sent by one Hub at a time.
CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id         uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  UNIQUE (event_id, webhook_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id);

-- The delivery log: every attempt, what the receiver answered or why it failed.
CREATE TABLE webhook_attempts (
  id           bigserial PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt      integer NOT NULL CHECK (attempt >= 1),
  status_code  integer,
  error        text,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id DESC);

-- Scheduled verification: verify the source's oldest-unverified snapshot once its last
-- verification is older than this. NULL: only on request.
ALTER TABLE schedules ADD COLUMN verify_every_seconds integer CHECK (verify_every_seconds IS NULL OR verify_every_seconds >= 60);
-- Missed backups: the due time the scheduler last acted on, and the last due time a
-- backup.missed was raised for, so each missed due time is reported once, not every sweep.
ALTER TABLE schedules ADD COLUMN last_due_at timestamptz;
ALTER TABLE schedules ADD COLUMN missed_reported_due_at timestamptz;

-- scheduled verification looks for a source's available snapshots, least recently verified first
CREATE INDEX snapshots_source_verified_idx ON snapshots (source_id, verified_at NULLS FIRST, created_at) WHERE status = 'available';
