-- datos_valuacion_ttm: valuation at each quarter end from 4 consecutive quarters (asset datos_valuacion_ttm).
-- Natural key (ticker, valuation_date = the latest quarter's period end); no surrogate id.
-- Unconstrained numeric: a rerun compares exactly what it wrote, and no multiple overflows.
CREATE TABLE IF NOT EXISTS datos_valuacion_ttm (
  ticker              text        NOT NULL,
  valuation_date      date        NOT NULL,
  price               numeric     NOT NULL,
  price_date          date        NOT NULL,
  revenue_ttm         numeric,
  ebitda_ttm          numeric,
  net_income_ttm      numeric,
  eps_ttm             numeric,
  free_cash_flow_ttm  numeric,
  market_cap          numeric,
  enterprise_value    numeric,
  net_debt            numeric,
  pe_ratio            numeric,
  ev_ebitda           numeric,
  price_to_sales      numeric,
  price_to_fcf        numeric,
  quarters_used       text        NOT NULL,
  filing_date         date        NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL,
  PRIMARY KEY (ticker, valuation_date),
  CHECK (price_date <= valuation_date)
);

-- "Each ticker's latest valuation on or before D" (the sector and industry aggregates).
CREATE INDEX IF NOT EXISTS datos_valuacion_ttm_date ON datos_valuacion_ttm (valuation_date);
-- The rows one run wrote (its point-in-time check).
CREATE INDEX IF NOT EXISTS datos_valuacion_ttm_updated_at ON datos_valuacion_ttm (updated_at);
