-- fintra_snapshots: one scored snapshot per equity and trading date (asset fintra_snapshots).
-- Key (snapshot_date, ticker): spec §10.2's (ticker, snapshot_date) with the date first, so a
-- day is one contiguous key range (it also serves every "rows of day D" read, the role of a
-- separate (snapshot_date) index). engine_version is NOT NULL but outside the key.
-- There is deliberately no `sector` column: the sector is classification->>'sector', so the
-- operations guide's join with company_profiles (which has `sector`) stays unambiguous.
CREATE TABLE IF NOT EXISTS fintra_snapshots (
  snapshot_date            date        NOT NULL,
  ticker                   text        NOT NULL,
  engine_version           text        NOT NULL,
  classification           jsonb       NOT NULL,
  profile_structural       jsonb       NOT NULL,
  market_snapshot          jsonb       NOT NULL,
  sector_performance       jsonb,
  industry_performance     jsonb,
  sector_pe                jsonb,
  fundamentals_growth      jsonb,
  fgos_score               numeric     CHECK (fgos_score BETWEEN 0 AND 100),
  fgos_category            text        NOT NULL CHECK (fgos_category IN ('High', 'Medium', 'Low', 'Pending')),
  fgos_status              text        NOT NULL CHECK (fgos_status IN ('computed', 'pending')),
  fgos_reason              text,
  fgos_confidence_percent  numeric,
  fgos_confidence_label    text        CHECK (fgos_confidence_label IN ('High', 'Medium', 'Low')),
  fgos_maturity            text        CHECK (fgos_maturity IN ('early', 'developing', 'established')),
  fgos_components          jsonb       NOT NULL,
  valuation                jsonb       NOT NULL,
  market_position          jsonb       NOT NULL,
  investment_verdict       jsonb       NOT NULL,
  -- The same verdict object as investment_verdict (the original duplicated it on purpose).
  strategic_state          jsonb       NOT NULL,
  relative_return          jsonb,
  ifs                      jsonb,
  -- IQS, the Industry Quality Score (the original's column name).
  ifs_fy                   jsonb,
  dividend_quality         jsonb,
  -- Stock return minus the sector's / SPY's on D, percentage points.
  relative_vs_sector_1m    numeric,
  relative_vs_sector_3m    numeric,
  relative_vs_sector_6m    numeric,
  relative_vs_sector_1y    numeric,
  relative_vs_sector_3y    numeric,
  relative_vs_sector_5y    numeric,
  relative_vs_market_1m    numeric,
  relative_vs_market_3m    numeric,
  relative_vs_market_6m    numeric,
  relative_vs_market_1y    numeric,
  relative_vs_market_3y    numeric,
  relative_vs_market_5y    numeric,
  data_confidence          jsonb       NOT NULL,
  -- Provenance: the newest date of each input used, and the two maxima the
  -- point-in-time check compares with snapshot_date.
  input_dates              jsonb       NOT NULL,
  latest_input_date        date,
  latest_filing_date       date,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL,
  PRIMARY KEY (snapshot_date, ticker),
  CHECK (fgos_status = 'pending' OR fgos_score IS NOT NULL),
  CHECK (fgos_status = 'computed' OR fgos_reason IS NOT NULL)
);

-- "A ticker's latest snapshot" and its history (the UI's ticker view).
CREATE INDEX IF NOT EXISTS fintra_snapshots_ticker_date
  ON fintra_snapshots (ticker, snapshot_date DESC);
