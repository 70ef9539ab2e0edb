-- financial_scores: Altman Z and Piotroski F per active equity and day (asset financial_scores).
CREATE TABLE IF NOT EXISTS financial_scores (
  ticker             text    NOT NULL,
  score_date         date    NOT NULL,
  altman_z           numeric,
  piotroski_score    integer CHECK (piotroski_score BETWEEN 0 AND 9),
  working_capital    numeric,
  total_assets       numeric,
  total_liabilities  numeric,
  retained_earnings  numeric,
  ebit               numeric,
  market_cap         numeric,
  revenue            numeric,
  source             text    NOT NULL DEFAULT 'fmp_scores_bulk',
  PRIMARY KEY (ticker, score_date)
);
