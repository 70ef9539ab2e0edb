-- asset_industry_map: ticker -> industry over time, type-2 history (asset asset_industry_map).
-- The row valid on day D has effective_from <= D and (effective_to IS NULL or effective_to >= D).
CREATE TABLE IF NOT EXISTS asset_industry_map (
  ticker          text        NOT NULL,
  industry_code   text        NOT NULL,
  source          text        NOT NULL,
  effective_from  date        NOT NULL,
  effective_to    date,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticker, effective_from),
  CHECK (effective_to IS NULL OR effective_to >= effective_from)
);

CREATE INDEX IF NOT EXISTS asset_industry_map_current ON asset_industry_map (ticker, effective_from DESC);
