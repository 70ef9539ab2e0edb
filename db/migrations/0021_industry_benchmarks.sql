-- industry_benchmarks: p10..p90 of the engines' metrics per industry and trading date
-- (asset industry_benchmarks). The operations guide counts it by snapshot_date.
CREATE TABLE IF NOT EXISTS industry_benchmarks (
  industry       text        NOT NULL,
  metric         text        NOT NULL,
  snapshot_date  date        NOT NULL,
  sector         text        NOT NULL,
  p10            numeric     NOT NULL,
  p25            numeric     NOT NULL,
  p50            numeric     NOT NULL,
  p75            numeric     NOT NULL,
  p90            numeric     NOT NULL,
  sample_size    integer     NOT NULL CHECK (sample_size >= 3),
  confidence     text        NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (industry, metric, snapshot_date)
);

CREATE INDEX IF NOT EXISTS industry_benchmarks_date ON industry_benchmarks (snapshot_date);
