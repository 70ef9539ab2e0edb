-- datos_performance: per symbol, trading date and window, the return, annualized volatility and
-- max drawdown of adjusted closes (asset datos_performance). performance_date is the partition D.
-- The key leads with performance_date so one day's rows are one contiguous range of it.
CREATE TABLE IF NOT EXISTS datos_performance (
  ticker            text     NOT NULL,
  performance_date  date     NOT NULL,
  window_code       text     NOT NULL
                    CHECK (window_code IN ('1D', '1W', '1M', '3M', '6M', 'YTD', '1Y', '2Y', '3Y', '5Y')),
  return_percent    numeric  NOT NULL,
  absolute_return   numeric  NOT NULL,
  volatility        numeric  NOT NULL CHECK (volatility >= 0),
  -- A positive percent: 35 means the price fell 35 % from a peak within the window.
  max_drawdown      numeric  NOT NULL CHECK (max_drawdown >= 0 AND max_drawdown < 100),
  start_date        date     NOT NULL,
  observations      integer  NOT NULL CHECK (observations >= 1),
  source            text     NOT NULL DEFAULT 'prices_daily_window',
  PRIMARY KEY (performance_date, ticker, window_code),
  CHECK (start_date < performance_date)
);

-- A ticker's history (the snapshot builder's "latest row per window on or before D").
CREATE INDEX IF NOT EXISTS datos_performance_ticker
  ON datos_performance (ticker, window_code, performance_date DESC);
