-- industry_classification: the industry -> sector taxonomy (asset industry_classification).
CREATE TABLE IF NOT EXISTS industry_classification (
  industry_code  text        PRIMARY KEY,
  industry_name  text        NOT NULL UNIQUE,
  sector         text        NOT NULL CHECK (sector IN (
                   'Basic Materials', 'Communication Services', 'Consumer Cyclical',
                   'Consumer Defensive', 'Energy', 'Financial Services', 'Healthcare',
                   'Industrials', 'Real Estate', 'Technology', 'Utilities')),
  description    text,
  source         text        NOT NULL,
  active         boolean     NOT NULL DEFAULT true,
  tickers        integer     NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now()
);
