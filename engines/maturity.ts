/**
 * Fundamentals maturity (spec §3.9): how many consecutive, complete fiscal years of
 * statements a company has, ending at its newest complete year. It gates the valuation
 * reading, the growth status, the structural coverage and the layer status.
 *
 * A year is complete when revenue, net income and free cash flow are all known. Walking
 * the complete FY rows from the newest period end back, the block stops at the first
 * missing year. Fewer than
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
function maturityClass(years: Count): MaturityClass {
  if (years < 3) return "early";
  if (years < 5) return "developing";
  return "established";
}

// Walked in period_end_date order from the newest: the same year again is skipped, the year
// before extends the block, anything else (labels that disagree with the dates) ends it.
/** Consecutive complete fiscal years (count, first and last year) of FY rows ≤ asOf. */
export function fundamentalsMaturity(
  rows: readonly FinancialRow[],
  asOf?: IsoDate | null,
): FundamentalsMaturity {
  const complete = rows.filter(
    (r) =>
      isFiscalYear(r) &&
      !(asOf && r.period_end_date > asOf) &&
      isNum(r.revenue) &&
      isNum(r.net_income) &&
      isNum(r.free_cash_flow) &&
      fiscalYearOf(r) !== null,
  );
  const walk = complete.map((r) => ({ end: r.period_end_date, fy: fiscalYearOf(r) as Year }));
  // Newest end first; two rows ending the same day, the later label first (order-free).
  walk.sort((a, b) => (a.end < b.end ? 1 : a.end > b.end ? -1 : b.fy - a.fy));
  const years = walk.map((r) => r.fy);
  const last = years[0];
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
  for (const fy of years.slice(1)) {
    if (fy === first) continue;
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
