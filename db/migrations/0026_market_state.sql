-- market_state: the per-ticker UI cache of the latest state, with the day's FGOS ranks
-- (asset market_state). snapshot_date is the fintra_snapshots partition the row was built
-- from; a run of an older day never overwrites a newer one.
CREATE TABLE IF NOT EXISTS market_state (
  ticker                   text        PRIMARY KEY,
  snapshot_date            date        NOT NULL,
  price                    numeric,
  change                   numeric,
  change_percentage        numeric,
  market_cap               numeric,
  volume                   bigint,
  ytd_return               numeric,
  last_price_date          date,
  sector                   text,
  industry                 text,
  country                  text,
  company_name             text,
  fgos_score               numeric,
  fgos_confidence_percent  numeric,
  fgos_confidence_label    text,
  valuation_status         text,
  verdict_text             text,
  market_position          jsonb,
  strategic_state          jsonb,
  relative_return          jsonb,
  -- Competition ranks by fgos_score (1 = best, ties share): within the sector and overall.
  sector_rank              integer     CHECK (sector_rank >= 1),
  sector_rank_total        integer     CHECK (sector_rank_total >= 0),
  global_rank              integer     CHECK (global_rank >= 1),
  global_rank_total        integer     CHECK (global_rank_total >= 0),
  source                   text        NOT NULL DEFAULT 'fintra_snapshots',
  updated_at               timestamptz NOT NULL DEFAULT now(),
  CHECK (sector_rank IS NULL OR sector_rank <= sector_rank_total),
  CHECK (global_rank IS NULL OR global_rank <= global_rank_total)
);

-- The rows of one day (the ranking step, the checks, the prune).
CREATE INDEX IF NOT EXISTS market_state_snapshot_date ON market_state (snapshot_date);

-- The old table name, which the web app reads.
CREATE OR REPLACE VIEW fintra_market_state AS SELECT * FROM market_state;
