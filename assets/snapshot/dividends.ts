/**
 * Dividend quality (spec/engines.md §12), scored only for companies that paid in one of
 * their last 10 fiscal years filed by D: a company that pays nothing has no dividend to
 * judge, and the verdict must not read it as an unsustainable one.
 */
import { calculateDividendQuality, type DividendYear } from "../../engines/dividend-quality.ts";
import { isNum } from "../../engines/math.ts";
import type { DividendsRow } from "../statements/datos_dividendos.ts";
import type { FinancialInput } from "./types.ts";

/** The dividend_quality column: the engine's reading plus computed|not_paying|no_data. */
export function dividendQuality(
  dividends: readonly DividendsRow[],
  fiscalYears: readonly FinancialInput[],
) {
  const byYear = new Map<number, FinancialInput>();
  for (const r of fiscalYears) {
    const fy = Number(r.period_label.slice(0, 4));
    if (Number.isInteger(fy)) byYear.set(fy, r);
  }
  const years: DividendYear[] = dividends.map((d) => ({
    year: d.year,
    has_dividend: d.has_dividend,
    dividend_per_share: d.dividend_per_share,
    dividend_cash_paid: d.dividend_cash_paid,
    payout_eps: d.payout_eps,
    payout_fcf: d.payout_fcf,
    is_growing: d.is_growing,
    net_income: byYear.get(d.year)?.net_income ?? null,
    free_cash_flow: byYear.get(d.year)?.free_cash_flow ?? null,
  }));
  const lastTen = [...years].sort((a, b) => a.year - b.year).slice(-10);
  const paid = lastTen.some(
    (y) => y.has_dividend && isNum(y.dividend_per_share) && y.dividend_per_share > 0,
  );
  if (!paid) {
    return {
      ...calculateDividendQuality([]),
      status: years.length === 0 ? ("no_data" as const) : ("not_paying" as const),
    };
  }
  return { ...calculateDividendQuality(lastTen), status: "computed" as const };
}
