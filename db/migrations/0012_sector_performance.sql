-- sector_performance: equal-weighted return of each FMP sector's constituents per window and
-- trading date, 1D included (asset sector_performance).
CREATE TABLE IF NOT EXISTS sector_performance (
  sector            text     NOT NULL CHECK (sector IN (
                      'Basic Materials', 'Communication Services', 'Consumer Cyclical',
                      'Consumer Defensive', 'Energy', 'Financial Services', 'Healthcare',
                      'Industrials', 'Real Estate', 'Technology', 'Utilities')),
  window_code       text     NOT NULL
                    CHECK (window_code IN ('1D', '1W', '1M', '3M', '6M', 'YTD', '1Y', '2Y', '3Y', '5Y')),
  performance_date  date     NOT NULL,
  return_percent    numeric  NOT NULL,
  members           integer  NOT NULL CHECK (members >= 1),
  source            text     NOT NULL DEFAULT 'constituents_equal_weight',
  PRIMARY KEY (performance_date, sector, window_code)
);

CREATE INDEX IF NOT EXISTS sector_performance_lookup ON sector_performance (sector, performance_date);

-- The cleaned-up schema's names (schema §10.1): the daily rows, and the window rows with the
-- date as as_of_date.
CREATE OR REPLACE VIEW sector_performance_daily AS
  SELECT sector, performance_date, return_percent, members, source
  FROM sector_performance WHERE window_code = '1D';
CREATE OR REPLACE VIEW sector_performance_windows AS
  SELECT sector, window_code, performance_date AS as_of_date, return_percent, members, source
  FROM sector_performance WHERE window_code <> '1D';
