-- datos_dividendos: dividends paid per ticker and fiscal year (asset datos_dividendos).
-- year is FMP's fiscalYear; payouts are percent numbers.
CREATE TABLE IF NOT EXISTS datos_dividendos (
  ticker               text        NOT NULL,
  year                 integer     NOT NULL,
  fiscal_year_end_date date,
  dividend_cash_paid   numeric,
  dividend_per_share   numeric,
  payout_eps           numeric,
  payout_fcf           numeric,
  has_dividend         boolean     NOT NULL DEFAULT false,
  is_growing           boolean,
  source               text        NOT NULL DEFAULT 'fmp-bulk',
  filing_date          date        NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL,
  PRIMARY KEY (ticker, year)
);

-- History reads (years filed by a day) and the run's own rows (updated_at).
CREATE INDEX IF NOT EXISTS datos_dividendos_year ON datos_dividendos (year);
CREATE INDEX IF NOT EXISTS datos_dividendos_updated_at ON datos_dividendos (updated_at);
