-- industry_pe: P/E of each industry on each trading date, aggregated from its constituents'
-- TTM P/E in (0, 100] (asset industry_pe). pe = median; pe_cap_weighted = market-cap-weighted mean.
CREATE TABLE IF NOT EXISTS industry_pe (
  industry         text        NOT NULL,
  pe_date          date        NOT NULL,
  sector           text        NOT NULL,
  pe               numeric     NOT NULL,
  pe_cap_weighted  numeric     NOT NULL,
  p10              numeric     NOT NULL,
  p25              numeric     NOT NULL,
  p50              numeric     NOT NULL,
  p75              numeric     NOT NULL,
  p90              numeric     NOT NULL,
  constituents     integer     NOT NULL CHECK (constituents >= 3),
  source           text        NOT NULL DEFAULT 'constituents_ttm',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (industry, pe_date)
);

CREATE INDEX IF NOT EXISTS industry_pe_date ON industry_pe (pe_date);
