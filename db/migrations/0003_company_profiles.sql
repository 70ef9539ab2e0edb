-- company_profiles: descriptive data per active equity (asset company_profiles).
CREATE TABLE IF NOT EXISTS company_profiles (
  ticker        text        PRIMARY KEY,
  company_name  text,
  description   text,
  sector        text,
  industry      text,
  country       text,
  currency      text,
  exchange      text,
  website       text,
  ceo           text,
  employees     integer,
  ipo_date      date,
  source        text        NOT NULL DEFAULT 'fmp',
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The old system's singular name, for readers that still use it.
CREATE OR REPLACE VIEW company_profile AS SELECT * FROM company_profiles;
