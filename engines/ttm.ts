/**
 * TTM v2 (spec §5): trailing-twelve-month fundamentals from exactly four quarters, and the
 * valuation multiples materialised in `datos_valuacion_ttm`.
 *
 * Flows (revenue, EBITDA, net income, FCF) are summed over the 4 quarters and are null if any
 * quarter is null: a missing quarter is never read as 0. EPS is TTM net income over the
 * latest quarter's shares (never a sum of quarterly EPS). Net debt is the latest quarter's
 * debt minus its cash. A multiple exists only when its denominator is positive.
 *
 * `computeTtmV2` throws when it is not given exactly 4 quarters: that is a caller bug, not
 * missing data.
 *
 * Decision (consecutive quarters): the original's TTM valuation scripts never checked that
 * the 4 quarters were consecutive, although its docs said they did. Here quarters are
 * consecutive when their fiscal labels (`YYYYQn`) follow each other, Q4 → next year's Q1;
 * dates never decide (a fiscal calendar can move quarter ends) and an unlabelled quarter
 * is never consecutive. `quarterOrdinal` is that one rule, shared with datos_financieros'
 * TTM rows and datos_valuacion_ttm's windows; `ttmValuationRow` skips a window that breaks
 * it, with the reason.
 *
 * Decision (one share count, one price): the original's backfill used weighted shares and
 * `prices_daily`; its incremental job read `shares_outstanding` and a `datos_eod` table that
 * its database did not have. Here shares are always the latest quarter's diluted
 * `weighted_shares_out` when positive (the statements carry no period-end share count; our
 * `shares_outstanding` column is the basic weighted count), and the price is always the
 * latest `datos_eod` close (`prices_daily` is a view of it) on or before the quarter end.
 * The spec's EPS reads `shares_outstanding(Q4)`; its vectors hold with either count.
 */
import { isNum, num } from "./math.ts";
import type { IsoDate, Money, Multiple, PerShare, Price, Shares } from "./units.ts";

/** One quarterly `datos_financieros` row (period_type Q). */
export interface QuarterRow {
  period_end_date: IsoDate;
  /** "2023Q1". */
  period_label: string;
  revenue: Money | null;
  ebitda: Money | null;
  net_income: Money | null;
  free_cash_flow: Money | null;
  weighted_shares_out: Shares | null;
  total_debt: Money | null;
  cash_and_equivalents: Money | null;
}

/** TTM fundamentals (money in reporting currency, EPS per share). */
export interface TtmFundamentals {
  revenue_ttm: Money | null;
  ebitda_ttm: Money | null;
  net_income_ttm: Money | null;
  eps_ttm: PerShare | null;
  free_cash_flow_ttm: Money | null;
  net_debt: Money | null;
}

/** Market value and multiples at one price. */
interface TtmMultiples {
  market_cap: Money | null;
  enterprise_value: Money | null;
  pe_ratio: Multiple | null;
  ev_ebitda: Multiple | null;
  price_to_sales: Multiple | null;
  price_to_fcf: Multiple | null;
}

/** A `datos_valuacion_ttm` row (without ticker and timestamps). */
export interface TtmValuationRow extends TtmFundamentals, TtmMultiples {
  valuation_date: IsoDate;
  price: Price;
  price_date: IsoDate;
  quarters_used: string;
}

/** Why a TTM valuation row was not produced. */
export type TtmSkipReason = "fewer_than_4_quarters" | "quarters_not_consecutive" | "no_price";

/** A daily close (reporting currency per share). */
export interface PricePoint {
  price_date: IsoDate;
  close: Price | null;
}

/** TTM sums and net debt (money), EPS (per share) from exactly 4 quarters; throws otherwise. */
export function computeTtmV2(quarters: readonly QuarterRow[]): TtmFundamentals {
  if (quarters.length !== 4) {
    throw new Error(`computeTtmV2 requires exactly 4 quarters, got ${quarters.length}`);
  }
  const latest = quarters[3]!;
  const sum = (field: "revenue" | "ebitda" | "net_income" | "free_cash_flow"): Money | null => {
    let total = 0;
    for (const q of quarters) {
      const v = q[field];
      if (!isNum(v)) return null;
      total += v;
    }
    return num(total);
  };
  const netIncome = sum("net_income");
  const shares = latest.weighted_shares_out;
  return {
    revenue_ttm: sum("revenue"),
    ebitda_ttm: sum("ebitda"),
    net_income_ttm: netIncome,
    eps_ttm: netIncome !== null && isNum(shares) && shares > 0 ? num(netIncome / shares) : null,
    free_cash_flow_ttm: sum("free_cash_flow"),
    net_debt:
      isNum(latest.total_debt) && isNum(latest.cash_and_equivalents)
        ? num(latest.total_debt - latest.cash_and_equivalents)
        : null,
  };
}

/** Market cap, EV and multiples at a price; a multiple is null unless its denominator is > 0. */
export function ttmValuationMultiples(
  ttm: TtmFundamentals,
  price: Price | null,
  shares: Shares | null,
): TtmMultiples {
  const marketCap = isNum(price) && isNum(shares) && shares > 0 ? num(price * shares) : null;
  const ev = marketCap !== null && ttm.net_debt !== null ? num(marketCap + ttm.net_debt) : null;
  // A tiny positive denominator can overflow: a result that is not finite is no multiple.
  const ratio = (top: number | null, bottom: number | null): Multiple | null =>
    top !== null && isNum(bottom) && bottom > 0 ? num(top / bottom) : null;
  return {
    market_cap: marketCap,
    enterprise_value: ev,
    pe_ratio: ratio(marketCap, ttm.net_income_ttm),
    ev_ebitda: ratio(ev, ttm.ebitda_ttm),
    price_to_sales: ratio(marketCap, ttm.revenue_ttm),
    price_to_fcf: ratio(marketCap, ttm.free_cash_flow_ttm),
  };
}

// Consecutive quarters differ by 1, 2025Q4 → 2026Q1 too.
/** A `YYYYQn` label's place in fiscal time (fiscal year × 4 + quarter − 1, unitless), else null. */
export function quarterOrdinal(label: string | null | undefined): number | null {
  const m = /^(\d{4})\s*Q([1-4])$/i.exec((label ?? "").trim());
  return m ? Number(m[1]) * 4 + Number(m[2]) - 1 : null;
}

/** True when each quarter's fiscal label follows the previous one's (`quarterOrdinal`; unitless). */
export function areConsecutiveQuarters(
  quarters: readonly Pick<QuarterRow, "period_label">[],
): boolean {
  let previous: number | null = null;
  for (const [i, q] of quarters.entries()) {
    const ordinal = quarterOrdinal(q.period_label);
    if (ordinal === null || (i > 0 && ordinal !== (previous as number) + 1)) return false;
    previous = ordinal;
  }
  return true;
}

/** Latest close dated on or before `date` (price per share), or null. */
function priceOnOrBefore(
  prices: readonly PricePoint[],
  date: IsoDate,
): { price: Price; price_date: IsoDate } | null {
  let best: { price: Price; price_date: IsoDate } | null = null;
  for (const p of prices) {
    if (!isNum(p.close) || p.close <= 0 || p.price_date > date) continue;
    if (best === null || p.price_date > best.price_date)
      best = { price: p.close, price_date: p.price_date };
  }
  return best;
}

/** One `datos_valuacion_ttm` row (money, per-share price, plain multiples) from 4 quarters. */
export function ttmValuationRow(
  quarters: readonly QuarterRow[],
  prices: readonly PricePoint[],
): { row: TtmValuationRow } | { skipped: TtmSkipReason } {
  if (quarters.length !== 4) return { skipped: "fewer_than_4_quarters" };
  const ordered = [...quarters].sort((a, b) => (a.period_end_date < b.period_end_date ? -1 : 1));
  if (!areConsecutiveQuarters(ordered)) return { skipped: "quarters_not_consecutive" };
  const latest = ordered[3]!;
  const quote = priceOnOrBefore(prices, latest.period_end_date);
  if (!quote) return { skipped: "no_price" };
  const ttm = computeTtmV2(ordered);
  const shares =
    isNum(latest.weighted_shares_out) && latest.weighted_shares_out > 0
      ? latest.weighted_shares_out
      : null;
  return {
    row: {
      valuation_date: latest.period_end_date,
      price: quote.price,
      price_date: quote.price_date,
      ...ttm,
      ...ttmValuationMultiples(ttm, quote.price, shares),
      quarters_used: ordered.map((q) => q.period_label).join(","),
    },
  };
}

/** Every window of 4 quarters in date order (rows keep their own units), oldest first. */
export function quarterWindows<T extends QuarterRow>(quarters: readonly T[]): T[][] {
  const ordered = [...quarters].sort((a, b) => (a.period_end_date < b.period_end_date ? -1 : 1));
  const windows: T[][] = [];
  for (let i = 3; i < ordered.length; i++) windows.push(ordered.slice(i - 3, i + 1));
  return windows;
}
