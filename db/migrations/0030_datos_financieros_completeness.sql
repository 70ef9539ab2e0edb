-- datos_financieros writes a period from the statements FMP has for it (income, balance
-- sheet, cash flow), not only when all three are present; `statements` names the ones a
-- row's figures come from (the others' figures are NULL until a later run fetches them).
-- Rows written before this migration were built from all three.
ALTER TABLE datos_financieros
  ADD COLUMN IF NOT EXISTS statements text[] NOT NULL DEFAULT ARRAY['income', 'balance', 'cash_flow'];
