-- performance_windows: each equity's return against its sector, its industry and the market
-- (SPY) per window on a trading date (asset performance_windows). benchmark_type tells the
-- three apart (the old table had to guess from the sector names). The key leads with
-- as_of_date so one day's rows are one contiguous range of it.
CREATE TABLE IF NOT EXISTS performance_windows (
  ticker            text     NOT NULL,
  benchmark_type    text     NOT NULL CHECK (benchmark_type IN ('sector', 'industry', 'market')),
  benchmark_ticker  text     NOT NULL,
  window_code       text     NOT NULL,
  asset_return      numeric  NOT NULL,
  benchmark_return  numeric  NOT NULL,
  -- asset_return - benchmark_return, in percentage points.
  alpha             numeric  NOT NULL,
  volatility        numeric,
  max_drawdown      numeric,
  as_of_date        date     NOT NULL,
  source            text     NOT NULL DEFAULT 'aggregated_from_datos_performance',
  PRIMARY KEY (as_of_date, ticker, benchmark_type, benchmark_ticker, window_code)
);

CREATE INDEX IF NOT EXISTS performance_windows_ticker
  ON performance_windows (ticker, window_code, as_of_date DESC);
