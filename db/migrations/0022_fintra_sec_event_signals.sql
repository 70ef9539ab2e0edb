-- fintra_sec_event_signals: one material event per 8-K filing and ticker
-- (asset fintra_sec_event_signals, weekly). The old table keyed rows by a uuid while its
-- writer upserted on (ticker, link) with no unique index behind it; that natural key is
-- the primary key here. link is the filing document the event was read from; the two
-- dates are EDGAR's New York clock stored as instants.
CREATE TABLE IF NOT EXISTS fintra_sec_event_signals (
  ticker          text        NOT NULL,
  link            text        NOT NULL,
  filing_date     timestamptz NOT NULL,
  accepted_date   timestamptz,
  event_type      text        NOT NULL,
  event_category  text        NOT NULL,
  sec_item        text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (ticker, link),
  CHECK (sec_item IN ('1.01', '1.02', '2.01', '5.02', '8.01')),
  CHECK (event_category IN ('SUPPLY_CHAIN', 'STRATEGIC', 'GOVERNANCE', 'CORPORATE'))
);

-- Recent events first (the ecosystem reader), and the run's own rows (updated_at).
CREATE INDEX IF NOT EXISTS fintra_sec_event_signals_filing_date
  ON fintra_sec_event_signals (filing_date DESC);
CREATE INDEX IF NOT EXISTS fintra_sec_event_signals_updated_at
  ON fintra_sec_event_signals (updated_at);
