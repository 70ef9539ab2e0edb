-- sector_stats: mean, std dev (sample), median, 10%-trimmed mean and count of the engines'
-- metrics per sector and trading date (asset sector_stats). A table, not the view of schema §10.1.
CREATE TABLE IF NOT EXISTS sector_stats (
  sector        text        NOT NULL,
  metric        text        NOT NULL,
  stats_date    date        NOT NULL,
  mean          numeric     NOT NULL,
  std_dev       numeric     NOT NULL CHECK (std_dev >= 0),
  median        numeric     NOT NULL,
  trimmed_mean  numeric     NOT NULL,
  sample_size   integer     NOT NULL CHECK (sample_size >= 3),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sector, metric, stats_date)
);

CREATE INDEX IF NOT EXISTS sector_stats_date ON sector_stats (stats_date);
