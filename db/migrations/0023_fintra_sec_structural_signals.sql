-- fintra_sec_structural_signals: keyword-derived structural risk signals per company and
-- fiscal year, from the 10-K's text (asset fintra_sec_structural_signals, weekly). The old
-- table keyed rows by a uuid while its writer upserted on (ticker, fiscal_year) with no
-- unique index behind it; that natural key is the primary key here.
-- fiscal_year is the year the fiscal year ends (FMP's fiscalYear); fiscal_year_basis says
-- whether the report stated it ('stated') or it was inferred from the filing date
-- ('filing_date'). filing_date and link name the report the row was read from.
CREATE TABLE IF NOT EXISTS fintra_sec_structural_signals (
  ticker                         text        NOT NULL,
  fiscal_year                    integer     NOT NULL,
  supplier_concentration         text        NOT NULL,
  single_source_dependency       boolean     NOT NULL,
  purchase_obligations_amount    numeric,
  purchase_obligations_currency  text,
  geographic_exposure            text[]      NOT NULL DEFAULT '{}',
  environmental_exposure         text        NOT NULL,
  source                         text        NOT NULL DEFAULT 'SEC_10K',
  fiscal_year_basis              text        NOT NULL,
  filing_date                    timestamptz NOT NULL,
  link                           text        NOT NULL,
  created_at                     timestamptz NOT NULL DEFAULT now(),
  updated_at                     timestamptz NOT NULL,
  PRIMARY KEY (ticker, fiscal_year),
  CHECK (supplier_concentration IN ('high', 'medium', 'low')),
  CHECK (environmental_exposure IN ('high', 'low')),
  CHECK (fiscal_year_basis IN ('stated', 'filing_date'))
);

-- The run's own rows (updated_at).
CREATE INDEX IF NOT EXISTS fintra_sec_structural_signals_updated_at
  ON fintra_sec_structural_signals (updated_at);
