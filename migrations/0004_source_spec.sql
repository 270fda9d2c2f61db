-- Sources of more than one kind. What only one kind has (an SFTP server's host, port and login)
-- moves from its own columns into `spec`, one jsonb object per row, so a new kind needs no column
-- that every other kind must leave empty; a CHECK per kind says what its spec must hold.
-- Credentials stay in the sealed columns (bound to their row and column), but a kind without
-- any (a local directory) leaves them NULL. A new kind's migration widens sources_kind_check and
-- adds its own spec CHECK (docs/architecture.md, How to add a source kind).
ALTER TABLE sources ADD COLUMN spec jsonb;
UPDATE sources SET spec = jsonb_build_object('host', host, 'port', port, 'username', username);
ALTER TABLE sources
  ALTER COLUMN spec SET NOT NULL,
  ALTER COLUMN kind DROP DEFAULT,
  ALTER COLUMN auth_method DROP NOT NULL,
  ALTER COLUMN credential_sealed DROP NOT NULL,
  DROP COLUMN host,
  DROP COLUMN port,
  DROP COLUMN username,
  ADD CONSTRAINT sources_spec_is_object CHECK (jsonb_typeof(spec) = 'object'),
  ADD CONSTRAINT sources_credential_complete CHECK ((auth_method IS NULL) = (credential_sealed IS NULL)),
  -- COALESCE: a missing key makes the test NULL, and a CHECK lets NULL through
  ADD CONSTRAINT sources_sftp_spec CHECK (kind <> 'sftp' OR COALESCE(
    jsonb_typeof(spec -> 'host') = 'string'
    AND jsonb_typeof(spec -> 'username') = 'string'
    AND CASE WHEN jsonb_typeof(spec -> 'port') = 'number' THEN (spec ->> 'port')::numeric BETWEEN 1 AND 65535 ELSE false END
    AND credential_sealed IS NOT NULL,
    false
  ));
