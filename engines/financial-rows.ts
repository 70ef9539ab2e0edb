/**
 * The `datos_financieros` row shape the engines read, and the fiscal-year helpers they share.
 *
 * Field names are our table's columns. Ratios (margins, ROIC, ROE, CAGRs) are decimal
 * fractions; debt_to_equity, interest_coverage and current_ratio are plain multiples; money
 * columns are in the reporting currency. Every metric is optional and nullable: a missing
 * value stays missing and is never read as 0.
 */
import { yearOf } from "./dates.ts";
import { isNum } from "./math.ts";
import type { IsoDate, Money, Multiple, Ratio, Shares, Year } from "./units.ts";

/** Period type of a `datos_financieros` row. */
type PeriodType = "FY" | "Q" | "TTM";

/** One `datos_financieros` row (the columns the engines use). */
export interface FinancialRow {
  ticker?: string;
  period_type?: PeriodType | string | null;
  /** "2023" for FY, "2023Q1" for Q, the latest quarter's label for TTM. */
  period_label?: string | null;
  period_end_date: IsoDate;
  revenue?: Money | null;
  net_income?: Money | null;
  free_cash_flow?: Money | null;
  ebitda?: Money | null;
  capex?: Money | null;
  invested_capital?: Money | null;
  total_debt?: Money | null;
  total_equity?: Money | null;
  cash_and_equivalents?: Money | null;
  weighted_shares_out?: Shares | null;
  roic?: Ratio | null;
  roe?: Ratio | null;
  gross_margin?: Ratio | null;
  operating_margin?: Ratio | null;
  net_margin?: Ratio | null;
  fcf_margin?: Ratio | null;
  revenue_cagr?: Ratio | null;
  debt_to_equity?: Multiple | null;
  interest_coverage?: Multiple | null;
  current_ratio?: Multiple | null;
}

/** Fiscal year (a year number) of a row: the label's leading year, else its end date's year. */
export function fiscalYearOf(
  row: Pick<FinancialRow, "period_label" | "period_end_date">,
): Year | null {
  const label = row.period_label;
  if (typeof label === "string") {
    const m = /^(\d{4})/.exec(label.trim());
    if (m) return Number(m[1]);
  }
  return yearOf(row.period_end_date);
}

/** True when equity is negative: total_equity < 0 or a negative debt/equity (unitless flag). */
export function hasNegativeEquity(
  row: Pick<FinancialRow, "total_equity" | "debt_to_equity">,
): boolean {
  return (
    (isNum(row.total_equity) && row.total_equity < 0) ||
    (isNum(row.debt_to_equity) && row.debt_to_equity < 0)
  );
}

/** True for FY rows (unitless). */
export function isFiscalYear(row: Pick<FinancialRow, "period_type">): boolean {
  return row.period_type === "FY";
}

// A fiscal year with two FY rows (a changed year end) keeps the later one.
/** FY rows with end date ≤ asOf, one per fiscal year, keyed by fiscal year (unitless). */
export function fiscalYearRows<T extends FinancialRow>(
  rows: readonly T[],
  asOf?: IsoDate | null,
): Map<Year, T> {
  const byYear = new Map<Year, T>();
  for (const row of rows) {
    if (!isFiscalYear(row)) continue;
    if (asOf && row.period_end_date > asOf) continue;
    const fy = fiscalYearOf(row);
    if (fy === null) continue;
    const prev = byYear.get(fy);
    if (!prev || row.period_end_date > prev.period_end_date) byYear.set(fy, row);
  }
  return byYear;
}

/** FY rows ≤ asOf, one per fiscal year, oldest first (rows keep their own units). */
function fiscalYearHistory<T extends FinancialRow>(rows: readonly T[], asOf?: IsoDate | null): T[] {
  return [...fiscalYearRows(rows, asOf).entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

// Rows without a period_type are taken as FY, so callers may pass plain annual series.
/** Annual history (rows keep their own units): FY or untyped rows ≤ asOf, oldest first. */
export function annualHistory<T extends FinancialRow>(
  rows: readonly T[],
  asOf?: IsoDate | null,
): T[] {
  const tagged = rows.map((r) => (r.period_type == null ? { ...r, period_type: "FY" } : r));
  return fiscalYearHistory(tagged, asOf);
}
