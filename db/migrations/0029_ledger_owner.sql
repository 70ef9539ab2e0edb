-- Who runs a live materialization, so a run whose process died is superseded at once
-- instead of holding its (asset, day, scope) key for the stale limit (6 hours).
-- In-process runs (the CLI, the demo) record their host and pid and beat a heartbeat;
-- Inngest runs leave these NULL and keep the stale limit (Inngest retries its own runs).

ALTER TABLE fintra_materializations ADD COLUMN IF NOT EXISTS owner_host text;
ALTER TABLE fintra_materializations ADD COLUMN IF NOT EXISTS owner_pid integer;
-- Refreshed while the run is alive (every 30 s); a run on another host whose heartbeat is
-- older than the heartbeat limit (5 minutes) is treated as gone.
ALTER TABLE fintra_materializations ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz;
