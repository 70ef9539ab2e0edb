-- Altman Z and Piotroski F computed in-house, point in time (asset financial_scores), from
-- datos_financieros and datos_eod instead of FMP's scores bulk, which describes only today.

-- The statement figures the two scores need. TTM rows: ebit summed over the 4 quarters,
-- the balances of the latest quarter. Rows written before this migration keep them NULL
-- until datos_financieros refetches them (its first run after it fetches the full window).
ALTER TABLE datos_financieros ADD COLUMN IF NOT EXISTS ebit              numeric;
ALTER TABLE datos_financieros ADD COLUMN IF NOT EXISTS total_assets      numeric;
ALTER TABLE datos_financieros ADD COLUMN IF NOT EXISTS total_liabilities numeric;
ALTER TABLE datos_financieros ADD COLUMN IF NOT EXISTS retained_earnings numeric;
ALTER TABLE datos_financieros ADD COLUMN IF NOT EXISTS long_term_debt    numeric;

-- Which rows a score was computed from, when they were filed, the close it used and each
-- Piotroski test's outcome. Rows written from FMP's bulk keep source 'fmp_scores_bulk'.
ALTER TABLE financial_scores ADD COLUMN IF NOT EXISTS inputs_period_type  text;
ALTER TABLE financial_scores ADD COLUMN IF NOT EXISTS inputs_period_label text;
ALTER TABLE financial_scores ADD COLUMN IF NOT EXISTS inputs_period_end   date;
ALTER TABLE financial_scores ADD COLUMN IF NOT EXISTS prior_period_label  text;
ALTER TABLE financial_scores ADD COLUMN IF NOT EXISTS filing_date         date;
ALTER TABLE financial_scores ADD COLUMN IF NOT EXISTS price_date          date;
ALTER TABLE financial_scores ADD COLUMN IF NOT EXISTS piotroski_tests     jsonb;
ALTER TABLE financial_scores ALTER COLUMN source SET DEFAULT 'fintra_statements';
