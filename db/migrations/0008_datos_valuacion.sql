-- datos_valuacion: daily TTM valuation multiples with in-sector percentiles (asset datos_valuacion).
CREATE TABLE IF NOT EXISTS datos_valuacion (
  ticker                text    NOT NULL,
  valuation_date        date    NOT NULL,
  denominator_type      text    NOT NULL,
  denominator_period    text    NOT NULL,
  price                 numeric NOT NULL,
  market_cap            numeric,
  enterprise_value      numeric,
  pe_ratio              numeric,
  peg_ratio             numeric,
  ev_ebitda             numeric,
  ev_sales              numeric,
  price_to_book         numeric,
  price_to_sales        numeric,
  price_to_fcf          numeric,
  dividend_yield        numeric,
  sector                text    NOT NULL,
  pe_percentile         numeric,
  ev_ebitda_percentile  numeric,
  p_fcf_percentile      numeric,
  composite_percentile  numeric,
  valuation_status      text    CHECK (valuation_status IN ('undervalued', 'fair', 'overvalued')),
  source                text    NOT NULL,
  PRIMARY KEY (ticker, valuation_date, denominator_type, denominator_period)
);

CREATE INDEX IF NOT EXISTS datos_valuacion_date ON datos_valuacion (valuation_date);

-- The name the operations guide uses.
CREATE OR REPLACE VIEW datos_valuation AS SELECT * FROM datos_valuacion;
