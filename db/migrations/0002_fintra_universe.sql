-- fintra_universe: every symbol FMP profiles, with its classification (asset fintra_universe).
CREATE TABLE IF NOT EXISTS fintra_universe (
  ticker              text    PRIMARY KEY,
  name                text,
  exchange            text,
  exchange_short      text,
  currency            text,
  is_active           boolean NOT NULL DEFAULT true,
  first_seen          date    NOT NULL,
  last_seen           date    NOT NULL,
  source              text    NOT NULL DEFAULT 'FMP',
  sector              text,
  industry            text,
  instrument_type     text    CHECK (instrument_type IN ('EQUITY', 'ETF', 'ADR', 'FUND', 'CRYPTO')),
  is_etf              boolean,
  is_adr              boolean,
  is_fund             boolean,
  country             text,
  profile_confidence  numeric,
  last_profile_update date
);

CREATE INDEX IF NOT EXISTS fintra_universe_active ON fintra_universe (is_active, instrument_type);

-- The active equity universe, as the old readers knew it (`type` is always 'stock').
CREATE OR REPLACE VIEW fintra_active_stocks AS
  SELECT ticker, name, exchange, exchange_short, 'stock'::text AS type, currency,
         is_active, first_seen, last_seen, source
    FROM fintra_universe
   WHERE is_active AND instrument_type = 'EQUITY';
