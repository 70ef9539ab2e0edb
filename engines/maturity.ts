/**
 * Fundamentals maturity (spec §3.9): how many consecutive, complete fiscal years of
 * statements a company has, ending at its newest complete year. It gates the valuation
 * reading, the growth status, the structural coverage and the layer status.
 *
 * A year is complete when revenue, net income and free cash flow are all known. Walking
 * from the newest complete year back, the block stops at the first missing year. Fewer than
 * 3 years is `early`, 3–4 `developing`, 5 or more `established`.
 */
import { type FinancialRow, fiscalYearOf, isFiscalYear } from "./financial-rows.ts";
import { isNum } from "./math.ts";
import type { Count, IsoDate, Year } from "./units.ts";

/** Maturity class written to `fgos_maturity`. */
export type MaturityClass = "early" | "developing" | "established";

/** Result of `fundamentalsMaturity`. */
export interface FundamentalsMaturity {
  fundamentals_years_count: Count;
  fundamentals_first_year: Year | null;
  fundamentals_last_year: Year | null;
  fgos_maturity: MaturityClass;
}

/** Maturity class from a count of consecutive complete fiscal years. */
export function maturityClass(years: Count): MaturityClass {
  if (years < 3) return "early";
  if (years < 5) return "developing";
  return "established";
}

/** Consecutive complete fiscal years (count, first and last year) of FY rows ≤ asOf. */
export function fundamentalsMaturity(
  rows: readonly FinancialRow[],
  asOf?: IsoDate | null,
): FundamentalsMaturity {
  const years = new Set<Year>();
  for (const r of rows) {
    if (!isFiscalYear(r)) continue;
    if (asOf && r.period_end_date > asOf) continue;
    if (!isNum(r.revenue) || !isNum(r.net_income) || !isNum(r.free_cash_flow)) continue;
    const fy = fiscalYearOf(r);
    if (fy !== null) years.add(fy);
  }
  const desc = [...years].sort((a, b) => b - a);
  const last = desc[0];
  if (last === undefined) {
    return {
      fundamentals_years_count: 0,
      fundamentals_first_year: null,
      fundamentals_last_year: null,
      fgos_maturity: "early",
    };
  }
  let first = last;
  let count = 1;
  // Duplicate years were merged by the Set, so any step other than 1 is a gap.
  for (const fy of desc.slice(1)) {
    if (first - fy !== 1) break;
    first = fy;
    count++;
  }
  return {
    fundamentals_years_count: count,
    fundamentals_first_year: first,
    fundamentals_last_year: last,
    fgos_maturity: maturityClass(count),
  };
}
