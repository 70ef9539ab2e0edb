-- industry_stats: mean, std dev (sample), median, 10%-trimmed mean and count of the engines'
-- metrics per industry and trading date (asset industry_stats).
CREATE TABLE IF NOT EXISTS industry_stats (
  industry      text        NOT NULL,
  metric        text        NOT NULL,
  stats_date    date        NOT NULL,
  sector        text        NOT NULL,
  mean          numeric     NOT NULL,
  std_dev       numeric     NOT NULL CHECK (std_dev >= 0),
  median        numeric     NOT NULL,
  trimmed_mean  numeric     NOT NULL,
  sample_size   integer     NOT NULL CHECK (sample_size >= 3),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (industry, metric, stats_date)
);

CREATE INDEX IF NOT EXISTS industry_stats_date ON industry_stats (stats_date);
