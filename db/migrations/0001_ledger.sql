-- The ledger: what ran, what it read, what it decided not to run, and what its checks found.
-- Every asset run writes here through the Store; the fan-in gate reads it.

CREATE TABLE IF NOT EXISTS fintra_materializations (
  id              text PRIMARY KEY,
  asset           text        NOT NULL,
  -- The trading date the data is as of; NULL for unpartitioned (latest-state) assets.
  partition_date  date,
  -- The day the run is for: the partition, or for unpartitioned assets the requested day.
  run_date        date        NOT NULL,
  -- NULL scope = the full partition; otherwise {"tickers": [...]} or {"limit": N}.
  scope           jsonb,
  scope_key       text        NOT NULL DEFAULT '',
  status          text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  trigger         text        NOT NULL,
  executor        text        NOT NULL,
  run_id          text,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  rows_written    bigint,
  metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- The upstream materializations this run read: [{asset, id, partition, finishedAt}].
  upstream        jsonb       NOT NULL DEFAULT '[]'::jsonb,
  -- false when an error-severity check failed: downstream assets will not run on it.
  checks_passed   boolean,
  error           text
);

CREATE INDEX IF NOT EXISTS fintra_materializations_lookup
  ON fintra_materializations (asset, scope_key, status, run_date DESC, started_at DESC);
CREATE INDEX IF NOT EXISTS fintra_materializations_partition
  ON fintra_materializations (asset, partition_date, scope_key, status);
CREATE INDEX IF NOT EXISTS fintra_materializations_run_id
  ON fintra_materializations (run_id);
-- At most one live run per asset, day and scope: the claim is atomic even across executors.
CREATE UNIQUE INDEX IF NOT EXISTS fintra_materializations_one_running
  ON fintra_materializations (asset, run_date, scope_key) WHERE status = 'running';

CREATE TABLE IF NOT EXISTS fintra_gate_decisions (
  id               bigserial PRIMARY KEY,
  asset            text        NOT NULL,
  partition_date   date,
  run_date         date        NOT NULL,
  scope_key        text        NOT NULL DEFAULT '',
  trigger          text        NOT NULL,
  decision         text        NOT NULL CHECK (decision IN ('run', 'wait', 'skip')),
  reason           text        NOT NULL,
  missing_deps     text[]      NOT NULL DEFAULT '{}',
  in_progress_deps text[]      NOT NULL DEFAULT '{}',
  blocked_deps     text[]      NOT NULL DEFAULT '{}',
  materialization_id text,
  decided_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS fintra_gate_decisions_asset
  ON fintra_gate_decisions (asset, run_date DESC, decided_at DESC);

CREATE TABLE IF NOT EXISTS fintra_check_results (
  materialization_id text        NOT NULL REFERENCES fintra_materializations (id) ON DELETE CASCADE,
  check_name         text        NOT NULL,
  asset              text        NOT NULL,
  partition_date     date,
  severity           text        NOT NULL CHECK (severity IN ('error', 'warn')),
  passed             boolean     NOT NULL,
  value              double precision,
  message            text        NOT NULL,
  metadata           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  checked_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (materialization_id, check_name)
);
