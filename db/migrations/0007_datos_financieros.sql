-- datos_financieros: FY, Q and TTM statement figures and derived ratios per ticker (asset datos_financieros).
-- Labels follow FMP's fiscalYear: FY '2025', Q '2026Q1', TTM = its latest quarter's label.
CREATE TABLE IF NOT EXISTS datos_financieros (
  ticker                    text        NOT NULL,
  period_type               text        NOT NULL CHECK (period_type IN ('FY', 'Q', 'TTM')),
  period_label              text        NOT NULL,
  period_end_date           date        NOT NULL,
  fiscal_year               integer     NOT NULL,
  fiscal_period             text        NOT NULL CHECK (fiscal_period IN ('FY', 'Q1', 'Q2', 'Q3', 'Q4')),
  filing_date               date        NOT NULL,
  source                    text        NOT NULL DEFAULT 'fmp_bulk',
  revenue                   numeric,
  gross_profit              numeric,
  operating_income          numeric,
  interest_expense          numeric,
  ebitda                    numeric,
  net_income                numeric,
  operating_cash_flow       numeric,
  capex                     numeric,
  free_cash_flow            numeric,
  total_equity              numeric,
  total_debt                numeric,
  cash_and_equivalents      numeric,
  total_current_assets      numeric,
  total_current_liabilities numeric,
  invested_capital          numeric,
  weighted_shares_out       numeric,
  shares_outstanding        numeric,
  operating_margin          numeric,
  net_margin                numeric,
  gross_margin              numeric,
  ebitda_margin             numeric,
  fcf_margin                numeric,
  roic                      numeric,
  roe                       numeric,
  debt_to_equity            numeric,
  interest_coverage         numeric,
  current_ratio             numeric,
  book_value_per_share      numeric,
  wacc                      numeric,
  revenue_cagr              numeric,
  earnings_cagr             numeric,
  fcf_cagr                  numeric,
  equity_cagr               numeric,
  data_completeness         numeric,
  data_freshness            numeric,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL,
  PRIMARY KEY (ticker, period_type, period_label)
);

-- "The latest TTM/FY/Q row of a ticker on or before a date" is every reader's question.
CREATE INDEX IF NOT EXISTS datos_financieros_latest
  ON datos_financieros (ticker, period_type, period_end_date DESC);

-- History reads (fiscal years filed by a day) and the run's own rows (updated_at).
CREATE INDEX IF NOT EXISTS datos_financieros_fiscal_year ON datos_financieros (fiscal_year);
CREATE INDEX IF NOT EXISTS datos_financieros_updated_at ON datos_financieros (updated_at);
