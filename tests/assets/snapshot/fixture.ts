/**
 * A hand-made company and day for the pure snapshot builder: ACME, a software company with
 * seven fiscal years, a TTM row, five years of quarter-end valuations, dividends, scores,
 * a year of prices moving 1.5× the market, its own and SPY's performance on D, the sector's
 * and industry's aggregates and benchmarks, and four industry peers. Every row is dated and
 * filed on or before D unless a test adds later ones.
 */
import { addDays, format, parseISO, subYears } from "date-fns";
import type { SectorPeRow } from "../../../assets/aggregates/sector_pe.ts";
import type { FinancialScoresRow } from "../../../assets/financial_scores.ts";
import type { IndustryPerformanceRow } from "../../../assets/performance/industry_performance.ts";
import type { SectorPerformanceRow } from "../../../assets/performance/sector_performance.ts";
import type {
  DayContext,
  FinancialInput,
  PricePoint,
  TickerInputs,
  TtmValuationInput,
} from "../../../assets/snapshot/types.ts";
import type { DividendsRow } from "../../../assets/statements/datos_dividendos.ts";
import type { SectorBenchmarkRow } from "../../../engines/benchmarks.ts";

export const DAY = "2026-11-27";
export const SECTOR = "Technology";
export const INDUSTRY = "Software - Application";
const iso = (d: Date) => format(d, "yyyy-MM-dd");

/** One FY row of fiscal year `fy` (period end 31 Dec, filed 20 Feb of the next year). */
export function fiscalYear(ticker: string, fy: number, scale = 1): FinancialInput {
  const revenue = 1_000_000_000 * scale * 1.1 ** (fy - 2019);
  const netIncome = revenue * (0.12 + 0.005 * (fy - 2019));
  return {
    ticker,
    period_type: "FY",
    period_label: String(fy),
    period_end_date: `${fy}-12-31`,
    filing_date: `${fy + 1}-02-20`,
    revenue,
    net_income: netIncome,
    free_cash_flow: netIncome * 1.1,
    ebitda: revenue * 0.25,
    capex: -revenue * 0.05,
    invested_capital: revenue * 0.8,
    total_debt: revenue * 0.2,
    total_equity: revenue * 0.6,
    cash_and_equivalents: revenue * 0.1,
    weighted_shares_out: 100_000_000,
    roic: 0.14 * scale,
    roe: 0.2,
    gross_margin: 0.6,
    operating_margin: 0.2 * scale,
    net_margin: netIncome / revenue,
    fcf_margin: (netIncome * 1.1) / revenue,
    revenue_cagr: 0.1,
    debt_to_equity: 0.33,
    interest_coverage: 12,
    current_ratio: 1.8,
  };
}

const BENCHMARKED: [string, number[]][] = [
  ["revenue_cagr", [0, 0.03, 0.06, 0.1, 0.15]],
  ["earnings_cagr", [-0.05, 0.02, 0.07, 0.12, 0.2]],
  ["fcf_cagr", [-0.05, 0.02, 0.07, 0.12, 0.2]],
  ["roic", [0.02, 0.06, 0.1, 0.15, 0.22]],
  ["operating_margin", [0.02, 0.08, 0.14, 0.2, 0.3]],
  ["net_margin", [0.01, 0.05, 0.1, 0.15, 0.22]],
  ["fcf_margin", [0.01, 0.05, 0.1, 0.16, 0.25]],
  ["gross_margin", [0.3, 0.45, 0.55, 0.65, 0.75]],
  ["debt_to_equity", [0.05, 0.2, 0.5, 1, 2]],
  ["interest_coverage", [1, 4, 8, 15, 30]],
  ["pe_ratio", [10, 15, 22, 30, 45]],
  ["ev_ebitda", [6, 9, 13, 18, 25]],
  ["price_to_fcf", [10, 16, 24, 32, 50]],
  ["market_cap", [2e8, 1e9, 5e9, 2e10, 1e11]],
];

export function benchmarkRows(sector: string, date: string): SectorBenchmarkRow[] {
  return BENCHMARKED.map(([metric, [p10, p25, p50, p75, p90]]) => ({
    sector,
    snapshot_date: date,
    metric,
    p10: p10 as number,
    p25: p25 as number,
    p50: p50 as number,
    p75: p75 as number,
    p90: p90 as number,
    sample_size: 25,
    confidence: "high",
  }));
}

/** Weekday closes over the year before D: the market drifts up, ACME moves 1.5× it. */
export function yearOfPrices(): { acme: PricePoint[]; spy: PricePoint[] } {
  const acme: PricePoint[] = [];
  const spy: PricePoint[] = [];
  let market = 400;
  let stock = 50;
  for (let d = subYears(parseISO(DAY), 1); iso(d) <= DAY; d = addDays(d, 1)) {
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
    const i = acme.length;
    const r = 0.0004 + 0.01 * Math.sin(i * 1.7);
    market *= 1 + r;
    stock *= 1 + 1.5 * r;
    const date = iso(d);
    spy.push({
      price_date: date,
      close: market,
      high: market * 1.01,
      low: market * 0.99,
      volume: 5e7,
    });
    acme.push({
      price_date: date,
      close: stock,
      high: stock * 1.02,
      low: stock * 0.98,
      volume: 1e6 + i,
    });
  }
  return { acme, spy };
}

const WINDOWS = ["1D", "1W", "1M", "3M", "6M", "YTD", "1Y", "2Y", "3Y", "5Y"];

function performance(returns: number[]) {
  return WINDOWS.map((window_code, i) => ({
    performance_date: DAY,
    window_code,
    return_percent: returns[i] as number,
    max_drawdown: 10 + i,
  }));
}

export function quarterEnds(from: string, to: string): string[] {
  const ends: string[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    for (const md of ["03-31", "06-30", "09-30", "12-31"]) {
      const date = `${y}-${md}`;
      if (date >= from && date <= to) ends.push(date);
    }
  }
  return ends;
}

export function valuations(): TtmValuationInput[] {
  return quarterEnds("2021-06-30", "2026-09-30").map((date, i) => ({
    valuation_date: date,
    filing_date: format(addDays(parseISO(date), 40), "yyyy-MM-dd"),
    price: 40 + i,
    market_cap: (40 + i) * 100_000_000,
    pe_ratio: 18 + i * 0.3,
    ev_ebitda: 12 + i * 0.2,
    price_to_fcf: 20 + i * 0.25,
    price_to_sales: 3 + i * 0.05,
  }));
}

export function dividends(ticker = "ACME"): DividendsRow[] {
  return [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025].map((year, i) => ({
    ticker,
    year,
    fiscal_year_end_date: `${year}-12-31`,
    dividend_cash_paid: 40_000_000 + i * 2_000_000,
    dividend_per_share: 0.4 + i * 0.02,
    payout_eps: 40,
    payout_fcf: 35,
    has_dividend: true,
    is_growing: i > 0,
    source: "fmp-bulk",
    filing_date: `${year + 1}-02-20`,
    updated_at: "2026-11-27T23:00:00.000Z",
  }));
}

export function scores(date = DAY): FinancialScoresRow {
  return {
    ticker: "ACME",
    score_date: date,
    altman_z: 3.6,
    piotroski_score: 7,
    working_capital: 1e8,
    total_assets: 3e9,
    total_liabilities: 1e9,
    retained_earnings: 5e8,
    ebit: 3e8,
    market_cap: 6.5e9,
    revenue: 1.9e9,
    source: "fintra_statements",
    inputs_period_type: "TTM",
    inputs_period_label: "2026Q3",
    inputs_period_end: "2026-09-30",
    prior_period_label: "2025Q3",
    filing_date: "2026-11-05",
    price_date: date,
    piotroski_tests: null,
  };
}

export interface Fixture {
  input: TickerInputs;
  context: DayContext;
}

/** The whole fixture; every part can be replaced by a test. */
export function fixture(): Fixture {
  const { acme, spy } = yearOfPrices();
  const fy = [2019, 2020, 2021, 2022, 2023, 2024, 2025].map((y) => fiscalYear("ACME", y));
  const ttm: FinancialInput = {
    ...fiscalYear("ACME", 2026),
    period_type: "TTM",
    period_label: "2026Q3",
    period_end_date: "2026-09-30",
    filing_date: "2026-11-05",
  };
  const peers = ["PEERA", "PEERB", "PEERC", "PEERD"].flatMap((t, i) =>
    [2021, 2022, 2023, 2024, 2025].map((y) => fiscalYear(t, y, 0.6 + 0.2 * i)),
  );
  const sectorRows: SectorPerformanceRow[] = WINDOWS.map((window_code, i) => ({
    sector: SECTOR,
    window_code,
    performance_date: DAY,
    return_percent: 1 + i,
    members: 40,
    source: "constituents_equal_weight",
  }));
  const industryRows: IndustryPerformanceRow[] = WINDOWS.map((window_code, i) => ({
    industry: INDUSTRY,
    window_code,
    performance_date: DAY,
    return_percent: 0.5 + i,
    members: 5,
    source: "constituents_equal_weight",
  }));
  const pe: SectorPeRow = {
    sector: SECTOR,
    pe_date: DAY,
    pe: 24,
    pe_cap_weighted: 27,
    p10: 12,
    p25: 17,
    p50: 24,
    p75: 31,
    p90: 44,
    constituents: 40,
    source: "constituents_ttm",
  };
  return {
    input: {
      ticker: "ACME",
      universe: {
        name: "Acme Corp",
        exchange: "New York Stock Exchange",
        exchange_short: "NYSE",
        currency: "USD",
        country: "US",
        is_etf: false,
        is_adr: false,
      },
      profile: {
        company_name: "Acme Corp",
        sector: SECTOR,
        industry: INDUSTRY,
        country: "US",
        currency: "USD",
        exchange: "NYSE",
        website: "https://acme.example",
        ceo: "W. E. Coyote",
        employees: 1200,
        ipo_date: "2005-04-01",
      },
      membership: { sector: SECTOR, industry: INDUSTRY },
      prices: acme,
      financials: [...fy, ttm],
      valuations: valuations(),
      scores: [scores()],
      dividends: dividends(),
      performance: performance([1.2, 2.5, 4, 9, 15, 30, 35, 50, 70, 120]),
    },
    context: {
      day: DAY,
      marketPrices: spy,
      marketPerformance: performance([0.8, 1.5, 2, 5, 9, 20, 22, 35, 40, 80]),
      sectorPerformance: new Map([[SECTOR, sectorRows]]),
      industryPerformance: new Map([[INDUSTRY, industryRows]]),
      sectorPe: new Map([[SECTOR, [pe]]]),
      benchmarks: new Map([[SECTOR, benchmarkRows(SECTOR, DAY)]]),
      industryPeers: new Map([[INDUSTRY, [...fy, ...peers]]]),
    },
  };
}

/** Paths of every number in a value that is not finite (NaN, ±Infinity). */
export function nonFinite(value: unknown, path = "$"): string[] {
  if (typeof value === "number") return Number.isFinite(value) ? [] : [path];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
}
