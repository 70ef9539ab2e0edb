-- sector_benchmarks: p10..p90 of the engines' metrics per sector AND industry and trading date
-- (asset sector_benchmarks). On industry rows (group_type = 'industry') the sector column holds
-- the industry name; group_type in the key keeps the two namespaces apart.
CREATE TABLE IF NOT EXISTS sector_benchmarks (
  group_type         text             NOT NULL CHECK (group_type IN ('sector', 'industry')),
  sector             text             NOT NULL,
  metric             text             NOT NULL,
  snapshot_date      date             NOT NULL,
  p10                numeric          NOT NULL,
  p25                numeric          NOT NULL,
  p50                numeric          NOT NULL,
  p75                numeric          NOT NULL,
  p90                numeric          NOT NULL,
  sample_size        integer          NOT NULL CHECK (sample_size >= 3),
  confidence         text             NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
  median             double precision,
  trimmed_mean       double precision,
  uncertainty_range  jsonb,
  created_at         timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (group_type, sector, metric, snapshot_date)
);

-- The operations guide counts a day's rows; the engines read a group's latest day <= D.
CREATE INDEX IF NOT EXISTS sector_benchmarks_date ON sector_benchmarks (snapshot_date);
CREATE INDEX IF NOT EXISTS sector_benchmarks_group_date
  ON sector_benchmarks (group_type, sector, snapshot_date DESC);
