-- industry_performance: equal-weighted return of each FMP industry's constituents per window
-- and trading date, 1D included (asset industry_performance). industry is the FMP name
-- (industry_classification.industry_name).
CREATE TABLE IF NOT EXISTS industry_performance (
  industry          text     NOT NULL,
  window_code       text     NOT NULL
                    CHECK (window_code IN ('1D', '1W', '1M', '3M', '6M', 'YTD', '1Y', '2Y', '3Y', '5Y')),
  performance_date  date     NOT NULL,
  return_percent    numeric  NOT NULL,
  members           integer  NOT NULL CHECK (members >= 1),
  source            text     NOT NULL DEFAULT 'constituents_equal_weight',
  PRIMARY KEY (performance_date, industry, window_code)
);

CREATE INDEX IF NOT EXISTS industry_performance_lookup
  ON industry_performance (industry, performance_date);

-- The cleaned-up schema's names (schema §10.1): the daily rows, and the window rows with the
-- date as as_of_date.
CREATE OR REPLACE VIEW industry_performance_daily AS
  SELECT industry, performance_date, return_percent, members, source
  FROM industry_performance WHERE window_code = '1D';
CREATE OR REPLACE VIEW industry_performance_windows AS
  SELECT industry, window_code, performance_date AS as_of_date, return_percent, members, source
  FROM industry_performance WHERE window_code <> '1D';
