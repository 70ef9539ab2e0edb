-- datos_eod: end-of-day prices, one row per ticker and trading date (asset datos_eod).
CREATE TABLE IF NOT EXISTS datos_eod (
  ticker      text        NOT NULL,
  price_date  date        NOT NULL,
  open        numeric,
  high        numeric,
  low         numeric,
  close       numeric     NOT NULL,
  adj_close   numeric,
  volume      bigint,
  source      text        NOT NULL DEFAULT 'fmp_eod_bulk',
  PRIMARY KEY (ticker, price_date)
);

CREATE INDEX IF NOT EXISTS datos_eod_date ON datos_eod (price_date);

-- The old system's table name, for readers that still use it.
CREATE OR REPLACE VIEW prices_daily AS SELECT * FROM datos_eod;
