/**
 * The pure build of one `fintra_snapshots` row: one ticker's rows from our tables in, every
 * engine's output out. No database, clock or randomness: the same inputs always give the
 * same row, which is what lets a rerun (or a backfill) leave the table unchanged.
 *
 * Point in time is enforced here, not only by the reader: every input row dated after D,
 * or built from a statement filed after D, is dropped before any engine sees it, so a
 * careless read can widen what is fetched but never what is scored. The `input_dates`
 * block and the two flat columns it feeds (`latest_input_date`, `latest_filing_date`)
 * record the newest date of what was used, for the asset's point-in-time check.
 *
 * Which engine fills which column, and the choices made on the way, are in the doc of
 * assets/fintra_snapshots.ts; the helpers below say only what they compute.
 */
import { format, parseISO, subDays, subYears } from "date-fns";
import { benchmarksAsOf, type SectorBenchmarkRow } from "../engines/benchmarks.ts";
import {
  buildDataConfidence,
  buildLayerStatus,
  buildStructuralCoverage,
} from "../engines/coverage.ts";
import { calculateDividendQuality, type DividendYear } from "../engines/dividend-quality.ts";
import { computeFgos, pickFgosFinancialRow } from "../engines/fgos.ts";
import type { FinancialRow } from "../engines/financial-rows.ts";
import { DEFAULT_INDUSTRY_PROFILE, fundamentalsGrowth } from "../engines/fundamentals-growth.ts";
import { calculateIfs, type RelativeVsSector } from "../engines/ifs.ts";
import { calculateIqs, type IqsPeerIndex, iqsPeerIndex } from "../engines/iqs.ts";
import { calculateMarketPosition } from "../engines/market-position.ts";
import { isNum, mean } from "../engines/math.ts";
import { fundamentalsMaturity } from "../engines/maturity.ts";
import {
  latestReturnsByWindow,
  type RelativePerformance,
  relativePerformance,
  relativeReturnTimeline,
  windowReturns,
} from "../engines/relative-performance.ts";
import { calculateRelativeReturn } from "../engines/relative-return.ts";
import { calculateSentiment, sentimentTimeline } from "../engines/sentiment.ts";
import { buildValuationState, valuationSnapshot } from "../engines/valuation.ts";
import { fgosVerdictBand, resolveFintraVerdict } from "../engines/verdict.ts";
import { FINANCIALS_STALE_DAYS, VALUATION_STALE_DAYS } from "./benchmark-inputs.ts";
import type { CompanyProfileRow } from "./company_profiles.ts";
import type { DividendsRow } from "./datos_dividendos.ts";
import type { PriceRow } from "./datos_eod.ts";
import type { FinancialsRow } from "./datos_financieros.ts";
import type { PerformanceRow } from "./datos_performance.ts";
import type { TtmValuationRecord } from "./datos_valuacion_ttm.ts";
import type { FinancialScoresRow } from "./financial_scores.ts";
import type { SnapshotRecord } from "./fintra_snapshots.ts";
import type { UniverseRow } from "./fintra_universe.ts";
import type { IndustryPerformanceRow } from "./industry_performance.ts";
import type { SectorPeRow } from "./sector_pe.ts";
import type { SectorPerformanceRow } from "./sector_performance.ts";

/** Written to every row's `engine_version`: the build (engines + this builder) that made it. */
export const ENGINE_VERSION = "fintra-2026.11";

/** A close older than this many days before D is not "the price on D". */
export const PRICE_STALE_DAYS = 10;
/** Sector benchmarks, performance and P/E context older than this are not read. */
export const CONTEXT_STALE_DAYS = 7;
/** Sector P/E context: a row older than this is missing, not partial. */
export const SECTOR_PE_STALE_DAYS = 30;
/** FY history read for moat, competitive advantage, dividends, IQS and maturity. */
export const HISTORY_YEARS = 12;
/** Sessions averaged for `averageVolume` (about three months). */
export const AVERAGE_VOLUME_SESSIONS = 63;
/** Daily returns needed for a one-year beta against the market. */
export const BETA_MIN_RETURNS = 60;

/** The sector block's windows (spec §17). */
export const SECTOR_WINDOWS = ["1D", "1W", "1M", "3M", "6M", "YTD", "1Y", "3Y", "5Y"] as const;
/** The industry block's windows (spec §17). */
export const INDUSTRY_WINDOWS = ["1D", "1W", "1M", "YTD", "1Y", "3Y", "5Y"] as const;

// ---------------------------------------------------------------------------------------
// Inputs

/** A close as the builder reads it from datos_eod. */
export type PricePoint = Pick<PriceRow, "price_date" | "close" | "high" | "low" | "volume">;

/** A datos_financieros row as the engines read it (FY and TTM rows). */
export type FinancialInput = FinancialRow &
  Pick<
    FinancialsRow,
    "ticker" | "period_type" | "period_label" | "period_end_date" | "filing_date"
  >;

/** A datos_valuacion_ttm row (quarter-end multiples). */
export type TtmValuationInput = Pick<
  TtmValuationRecord,
  | "valuation_date"
  | "filing_date"
  | "price"
  | "market_cap"
  | "pe_ratio"
  | "ev_ebitda"
  | "price_to_fcf"
  | "price_to_sales"
>;

/** One ticker's own rows. Rows may reach past D: the builder drops them. */
export interface TickerInputs {
  ticker: string;
  universe: Pick<
    UniverseRow,
    "name" | "exchange" | "exchange_short" | "currency" | "country" | "is_etf" | "is_adr"
  > | null;
  profile: Pick<
    CompanyProfileRow,
    | "company_name"
    | "sector"
    | "industry"
    | "country"
    | "currency"
    | "exchange"
    | "website"
    | "ceo"
    | "employees"
    | "ipo_date"
  > | null;
  /** Industry and sector on D (asset_industry_map valid on D + industry_classification). */
  membership: { sector: string; industry: string } | null;
  prices: readonly PricePoint[];
  financials: readonly FinancialInput[];
  valuations: readonly TtmValuationInput[];
  /** financial_scores of D (computed point in time for every D, so no older row stands in). */
  scores: readonly FinancialScoresRow[];
  dividends: readonly DividendsRow[];
  performance: readonly Pick<
    PerformanceRow,
    "performance_date" | "window_code" | "return_percent" | "max_drawdown"
  >[];
}

/** What every ticker of a chunk shares: the market, the groups and the day's aggregates. */
export interface DayContext {
  day: string;
  /** The market benchmark's (SPY) closes and performance rows. */
  marketPrices: readonly PricePoint[];
  marketPerformance: TickerInputs["performance"];
  /** sector_performance rows by sector; industry_performance rows by industry. */
  sectorPerformance: ReadonlyMap<string, readonly SectorPerformanceRow[]>;
  industryPerformance: ReadonlyMap<string, readonly IndustryPerformanceRow[]>;
  sectorPe: ReadonlyMap<string, readonly SectorPeRow[]>;
  /** sector_benchmarks rows of group_type 'sector', by sector. */
  benchmarks: ReadonlyMap<string, readonly SectorBenchmarkRow[]>;
  /** FY datos_financieros rows of each industry's members on D, by industry (IQS peers). */
  industryPeers: ReadonlyMap<string, readonly FinancialInput[]>;
}

/** The row the builder makes: every column but `updated_at`, which the run stamps. */
export type BuiltSnapshot = Omit<SnapshotRecord, "updated_at">;

// ---------------------------------------------------------------------------------------
// Small pure helpers

const iso = (date: Date) => format(date, "yyyy-MM-dd");
/** `YYYY-MM-DD`, `days` before `day`. */
export const daysBefore = (day: string, days: number) => iso(subDays(parseISO(day), days));
/** `YYYY-MM-DD`, `years` before `day`. */
export const yearsBefore = (day: string, years: number) => iso(subYears(parseISO(day), years));

/** The newest of some ISO dates (nulls ignored), or null. */
export function newest(dates: readonly (string | null | undefined)[]): string | null {
  let out: string | null = null;
  for (const d of dates) if (d && (out === null || d > out)) out = d;
  return out;
}

function latestBy<T>(rows: readonly T[], date: (row: T) => string): T | null {
  let best: T | null = null;
  for (const row of rows) if (best === null || date(row) > date(best)) best = row;
  return best;
}

/** Classification on D: asset_industry_map first (canonical), else the profile's. */
export interface Classification {
  status: "full" | "partial" | "missing";
  sector: string | null;
  industry: string | null;
  source: "canonical" | "profile_fallback" | null;
}

/** The ticker's sector and industry on D, and where they came from. */
export function resolveClassification(
  membership: TickerInputs["membership"],
  profile: TickerInputs["profile"],
): Classification {
  if (membership) {
    return {
      status: "full",
      sector: membership.sector,
      industry: membership.industry,
      source: "canonical",
    };
  }
  const sector = profile?.sector?.trim() || null;
  const industry = profile?.industry?.trim() || null;
  if (!sector && !industry)
    return { status: "missing", sector: null, industry: null, source: null };
  return {
    status: sector && industry ? "full" : "partial",
    sector,
    industry,
    source: "profile_fallback",
  };
}

/** Price, change and trading figures of D from a ticker's closes (and the market's, for beta). */
export interface PriceMetrics {
  price: number | null;
  priceDate: string | null;
  previousClose: number | null;
  change: number | null;
  changePercentage: number | null;
  volume: number | null;
  averageVolume: number | null;
  yearLow: number | null;
  yearHigh: number | null;
  range: string | null;
  beta: number | null;
}

/**
 * The latest close on or before D (no older than PRICE_STALE_DAYS), its change from the
 * close before it, the day's volume, the mean volume of the last sessions, the 52-week
 * low/high (intraday where known) and a one-year daily beta against the market.
 */
export function priceMetrics(
  prices: readonly PricePoint[],
  marketPrices: readonly PricePoint[],
  day: string,
): PriceMetrics {
  const yearAgo = yearsBefore(day, 1);
  const series = prices
    .filter((p) => p.price_date <= day && isNum(p.close) && p.close > 0)
    .sort((a, b) => (a.price_date < b.price_date ? -1 : 1));
  const last = series.at(-1);
  const none: PriceMetrics = {
    price: null,
    priceDate: null,
    previousClose: null,
    change: null,
    changePercentage: null,
    volume: null,
    averageVolume: null,
    yearLow: null,
    yearHigh: null,
    range: null,
    beta: null,
  };
  if (!last || last.price_date < daysBefore(day, PRICE_STALE_DAYS)) return none;
  const previous = series.at(-2) ?? null;
  const change = previous ? last.close - previous.close : null;
  const year = series.filter((p) => p.price_date >= yearAgo);
  const lows = year.map((p) => (isNum(p.low) ? p.low : p.close));
  const highs = year.map((p) => (isNum(p.high) ? p.high : p.close));
  const yearLow = Math.min(...lows);
  const yearHigh = Math.max(...highs);
  return {
    price: last.close,
    priceDate: last.price_date,
    previousClose: previous?.close ?? null,
    change,
    changePercentage: previous && change !== null ? (change / previous.close) * 100 : null,
    volume: isNum(last.volume) ? last.volume : null,
    averageVolume: mean(series.slice(-AVERAGE_VOLUME_SESSIONS).map((p) => p.volume)),
    yearLow,
    yearHigh,
    range: `${yearLow}-${yearHigh}`,
    beta: dailyBeta(year, marketPrices, yearAgo, day),
  };
}

// The market's returns between consecutive closes, by the later close's date: the earlier
// date and the return. A stock's return from a to b is matched only with the market's from
// a to b, so a gap in one series is never matched with a one-day move of the other.
type MarketReturns = Map<string, { from: string; r: number }>;

// The market's series is the same for every ticker of a chunk: prepared once per (prices, D).
const preparedMarket = new WeakMap<readonly PricePoint[], Map<string, MarketReturns>>();

function marketReturns(marketPrices: readonly PricePoint[], from: string, day: string) {
  let byWindow = preparedMarket.get(marketPrices);
  if (!byWindow) {
    byWindow = new Map();
    preparedMarket.set(marketPrices, byWindow);
  }
  const key = `${from}/${day}`;
  const cached = byWindow.get(key);
  if (cached) return cached;
  const market = marketPrices
    .filter((p) => p.price_date >= from && p.price_date <= day && isNum(p.close) && p.close > 0)
    .sort((a, b) => (a.price_date < b.price_date ? -1 : 1));
  const out: MarketReturns = new Map();
  for (let i = 1; i < market.length; i++) {
    const a = market[i - 1]!;
    const b = market[i]!;
    out.set(b.price_date, { from: a.price_date, r: b.close / a.close - 1 });
  }
  byWindow.set(key, out);
  return out;
}

function dailyBeta(
  stockYear: readonly PricePoint[],
  marketPrices: readonly PricePoint[],
  from: string,
  day: string,
): number | null {
  const market = marketReturns(marketPrices, from, day);
  const pairs: [number, number][] = [];
  for (let i = 1; i < stockYear.length; i++) {
    const a = stockYear[i - 1]!;
    const b = stockYear[i]!;
    const m = market.get(b.price_date);
    if (m !== undefined && m.from === a.price_date) pairs.push([b.close / a.close - 1, m.r]);
  }
  if (pairs.length < BETA_MIN_RETURNS) return null;
  const ms = mean(pairs.map(([, m]) => m)) as number;
  const ss = mean(pairs.map(([s]) => s)) as number;
  let cov = 0;
  let variance = 0;
  for (const [s, m] of pairs) {
    cov += (s - ss) * (m - ms);
    variance += (m - ms) ** 2;
  }
  return variance > 0 ? cov / variance : null;
}

/** A group's performance block: windows from the group's latest date on or before D. */
export interface PerformanceBlock {
  status: "full" | "partial" | "missing";
  date: string | null;
  data: Record<string, number>;
}

/** sector_performance block (spec §17): the sector's newest day ≤ D; full with all 9 windows. */
export function sectorPerformanceBlock(
  rows: readonly SectorPerformanceRow[],
  day: string,
): PerformanceBlock {
  const oldest = daysBefore(day, CONTEXT_STALE_DAYS);
  const usable = rows.filter((r) => r.performance_date <= day && r.performance_date >= oldest);
  const date = newest(usable.map((r) => r.performance_date));
  const data: Record<string, number> = {};
  for (const r of usable) {
    if (
      r.performance_date === date &&
      (SECTOR_WINDOWS as readonly string[]).includes(r.window_code)
    )
      data[r.window_code] = r.return_percent;
  }
  const n = Object.keys(data).length;
  return {
    status: n === SECTOR_WINDOWS.length ? "full" : n > 0 ? "partial" : "missing",
    date,
    data,
  };
}

/** industry_performance block (spec §17): newest row ≤ D per window; full with all 7 dated D. */
export function industryPerformanceBlock(
  rows: readonly IndustryPerformanceRow[],
  day: string,
): PerformanceBlock {
  const latest = latestReturnsByWindow(
    rows.map((r) => ({ ...r, max_drawdown: null })),
    day,
    CONTEXT_STALE_DAYS,
  );
  const data: Record<string, number> = {};
  const dates: string[] = [];
  for (const w of INDUSTRY_WINDOWS) {
    const r = latest[w];
    if (!r || !isNum(r.return_percent)) continue;
    data[w] = r.return_percent;
    dates.push(r.performance_date);
  }
  const n = Object.keys(data).length;
  const allToday = dates.every((d) => d === day);
  return {
    status: n === INDUSTRY_WINDOWS.length && allToday ? "full" : n > 0 ? "partial" : "missing",
    date: newest(dates),
    data,
  };
}

/** sector_pe block (spec §17): the sector's newest P/E ≤ D; full when dated D. */
export function sectorPeBlock(rows: readonly SectorPeRow[], day: string) {
  const oldest = daysBefore(day, SECTOR_PE_STALE_DAYS);
  const row = latestBy(
    rows.filter((r) => r.pe_date <= day && r.pe_date >= oldest),
    (r) => r.pe_date,
  );
  if (!row) return { status: "missing" as const, value: null, date: null, constituents: null };
  return {
    status: row.pe_date === day ? ("full" as const) : ("partial" as const),
    value: row.pe,
    date: row.pe_date,
    constituents: row.constituents,
  };
}

/** Dividend quality, scored only for companies that paid in one of their last 10 years. */
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

/** A one-line reading of the verdict for lists: label, then its drivers. */
export function verdictText(verdict: {
  verdict_label: string;
  drivers: { positives: string[]; negatives: string[]; tensions: string[] };
}): string {
  const label = verdict.verdict_label[0]!.toUpperCase() + verdict.verdict_label.slice(1);
  const drivers = [...verdict.drivers.positives, ...verdict.drivers.negatives];
  return drivers.length > 0 ? `${label}: ${drivers.join("; ")}` : label;
}

// ---------------------------------------------------------------------------------------
// The row

/** An industry's FY rows known on D, and what every member's row reads of them. */
export interface IndustryPeersOnDay {
  rows: readonly FinancialInput[];
  /** `iqsPeerIndex(rows)`: each member's IQS is then a few binary searches. */
  index: IqsPeerIndex;
  newestFiling: string | null;
  newestEnd: string | null;
}

const NO_ROWS: readonly FinancialInput[] = [];

// Prepared once per (industry's rows, D): a chunk holds whole industries, and without this
// every member would filter and rank all of its industry's rows (quadratic in its size).
// Keyed by the array itself, as the market's returns below: a context's arrays are read-only
// and never change after they are built, so a cached reading is the reading.
const preparedPeers = new WeakMap<readonly FinancialInput[], Map<string, IndustryPeersOnDay>>();

/** The FY rows of `rows` ended and filed by D, with their IQS index and newest dates. */
export function industryPeersOn(rows: readonly FinancialInput[], day: string): IndustryPeersOnDay {
  let byDay = preparedPeers.get(rows);
  if (!byDay) {
    byDay = new Map();
    preparedPeers.set(rows, byDay);
  }
  const cached = byDay.get(day);
  if (cached) return cached;
  const known = rows.filter(
    (r) => r.period_end_date <= day && r.filing_date <= day && r.period_type === "FY",
  );
  const prepared: IndustryPeersOnDay = {
    rows: known,
    index: iqsPeerIndex(known),
    newestFiling: newest(known.map((r) => r.filing_date)),
    newestEnd: newest(known.map((r) => r.period_end_date)),
  };
  byDay.set(day, prepared);
  return prepared;
}

/** Only what was known on D: rows dated after D or filed after D are dropped. */
export function pointInTime(input: TickerInputs, day: string) {
  const financials = input.financials.filter(
    (r) => r.period_end_date <= day && r.filing_date <= day,
  );
  const oldestScorable = daysBefore(day, FINANCIALS_STALE_DAYS);
  return {
    fiscalYears: financials.filter((r) => r.period_type === "FY"),
    // TTM or FY rows FGOS may score: ended within FINANCIALS_STALE_DAYS, like the benchmarks.
    scorable: financials.filter(
      (r) =>
        (r.period_type === "TTM" || r.period_type === "FY") && r.period_end_date >= oldestScorable,
    ),
    valuations: input.valuations.filter((r) => r.valuation_date <= day && r.filing_date <= day),
    scores: input.scores.filter((r) => r.score_date === day),
    dividends: input.dividends.filter(
      (r) => r.filing_date <= day && (r.fiscal_year_end_date ?? "") <= day,
    ),
    performance: input.performance.filter((r) => r.performance_date === day),
    prices: input.prices.filter((p) => p.price_date <= day),
  };
}

/** The flat relative columns: stock minus sector and minus SPY, 1m..5y (no 2y column). */
export type RelativeColumns = Pick<
  BuiltSnapshot,
  | "relative_vs_sector_1m"
  | "relative_vs_sector_3m"
  | "relative_vs_sector_6m"
  | "relative_vs_sector_1y"
  | "relative_vs_sector_3y"
  | "relative_vs_sector_5y"
  | "relative_vs_market_1m"
  | "relative_vs_market_3m"
  | "relative_vs_market_6m"
  | "relative_vs_market_1y"
  | "relative_vs_market_3y"
  | "relative_vs_market_5y"
>;

function persistedRelative(r: RelativePerformance | null): RelativeColumns {
  return {
    relative_vs_sector_1m: r?.relative_vs_sector_1m ?? null,
    relative_vs_sector_3m: r?.relative_vs_sector_3m ?? null,
    relative_vs_sector_6m: r?.relative_vs_sector_6m ?? null,
    relative_vs_sector_1y: r?.relative_vs_sector_1y ?? null,
    relative_vs_sector_3y: r?.relative_vs_sector_3y ?? null,
    relative_vs_sector_5y: r?.relative_vs_sector_5y ?? null,
    relative_vs_market_1m: r?.relative_vs_market_1m ?? null,
    relative_vs_market_3m: r?.relative_vs_market_3m ?? null,
    relative_vs_market_6m: r?.relative_vs_market_6m ?? null,
    relative_vs_market_1y: r?.relative_vs_market_1y ?? null,
    relative_vs_market_3y: r?.relative_vs_market_3y ?? null,
    relative_vs_market_5y: r?.relative_vs_market_5y ?? null,
  };
}

/** Builds one snapshot row (every column but updated_at) from a ticker's rows and the day. */
export function buildSnapshot(input: TickerInputs, context: DayContext): BuiltSnapshot {
  const day = context.day;
  const known = pointInTime(input, day);
  const classification = resolveClassification(input.membership, input.profile);
  const { sector, industry } = classification;
  const profileOfIndustry = DEFAULT_INDUSTRY_PROFILE;

  const maturity = fundamentalsMaturity(known.fiscalYears, day);
  const growth = fundamentalsGrowth(known.fiscalYears, {
    maturity: maturity.fgos_maturity,
    profile: profileOfIndustry,
    asOf: day,
  });
  const scored = pickFgosFinancialRow(known.scorable, day);
  const benchmarkRows = sector ? (context.benchmarks.get(sector) ?? []) : [];
  const oldestBenchmark = daysBefore(day, CONTEXT_STALE_DAYS);
  const recentBenchmarks = benchmarkRows.filter((r) => r.snapshot_date >= oldestBenchmark);
  const benchmarks = sector ? benchmarksAsOf(recentBenchmarks, sector, day) : null;
  const benchmarkDate = benchmarks
    ? newest(recentBenchmarks.filter((r) => r.snapshot_date <= day).map((r) => r.snapshot_date))
    : null;
  const scores = latestBy(known.scores, (r) => r.score_date);
  const sentiment = calculateSentiment(
    sentimentTimeline(
      known.valuations.map((v) => ({ ...v, denominator_type: "TTM" })),
      day,
    ),
  );

  const fgos = computeFgos({
    as_of: day,
    sector,
    benchmarks,
    financials: scored,
    growth,
    financial_scores: scores
      ? { altman_z: scores.altman_z, piotroski_score: scores.piotroski_score }
      : null,
    history: known.fiscalYears,
    sentiment,
    ipo_date: input.profile?.ipo_date ?? null,
  });

  const oldestValuation = daysBefore(day, VALUATION_STALE_DAYS);
  const valuationRow = latestBy(
    known.valuations.filter((v) => v.valuation_date >= oldestValuation),
    (v) => v.valuation_date,
  );
  const multiples = {
    pe_ratio: valuationRow?.pe_ratio ?? null,
    ev_ebitda: valuationRow?.ev_ebitda ?? null,
    price_to_fcf: valuationRow?.price_to_fcf ?? null,
  };
  const valuationState = buildValuationState(multiples, benchmarks, {
    fgos_maturity: maturity.fgos_maturity,
    dominant_horizons: profileOfIndustry.dominant_horizons,
  });
  const valuation = {
    ...valuationSnapshot(multiples, valuationState),
    price_to_sales: valuationRow?.price_to_sales ?? null,
    valuation_date: valuationRow?.valuation_date ?? null,
    source: valuationRow ? "datos_valuacion_ttm" : null,
  };

  const own = latestReturnsByWindow(known.performance, day, 0);
  const market = latestReturnsByWindow(
    context.marketPerformance.filter((r) => r.performance_date === day),
    day,
    0,
  );
  const sectorRows = sector ? (context.sectorPerformance.get(sector) ?? []) : [];
  const sectorLatest = latestReturnsByWindow(
    sectorRows.map((r) => ({ ...r, max_drawdown: null })),
    day,
    0,
  );
  const relative = relativePerformance(
    windowReturns(own),
    windowReturns(market),
    windowReturns(sectorLatest),
  );
  const relativeVsSector: RelativeVsSector = {
    relative_vs_sector_1m: relative.relative_vs_sector_1m,
    relative_vs_sector_3m: relative.relative_vs_sector_3m,
    relative_vs_sector_6m: relative.relative_vs_sector_6m,
    relative_vs_sector_1y: relative.relative_vs_sector_1y,
    relative_vs_sector_2y: relative.relative_vs_sector_2y,
    relative_vs_sector_3y: relative.relative_vs_sector_3y,
    relative_vs_sector_5y: relative.relative_vs_sector_5y,
  };
  const ifs = calculateIfs(relativeVsSector, profileOfIndustry.dominant_horizons);
  const relativeReturn = calculateRelativeReturn(relativeReturnTimeline(own, market));

  const peers = industryPeersOn(
    industry ? (context.industryPeers.get(industry) ?? NO_ROWS) : NO_ROWS,
    day,
  );
  const iqs = calculateIqs({
    ticker: input.ticker,
    industry,
    rows: known.fiscalYears,
    peer_rows: peers.rows,
    peer_index: peers.index,
  });

  const dividends = dividendQuality(known.dividends, known.fiscalYears);
  const advantage = fgos.fgos_components.competitive_advantage;
  const verdict = resolveFintraVerdict({
    fgos: {
      score: fgos.fgos_score,
      band: fgosVerdictBand(fgos.fgos_category),
      confidence: fgos.fgos_confidence_percent,
    },
    competitive_advantage: {
      score: advantage.score,
      band: advantage.band,
      confidence: advantage.confidence,
    },
    sentiment: { score: sentiment.value, band: sentiment.band, confidence: sentiment.confidence },
    dividend_quality:
      dividends.status === "computed"
        ? { score: dividends.score, band: dividends.band, confidence: dividends.confidence }
        : null,
    relative_return: {
      score: relativeReturn.score,
      band: relativeReturn.band,
      confidence: relativeReturn.confidence,
    },
  });

  const marketPosition = calculateMarketPosition(
    {
      sector,
      market_cap: valuationRow?.market_cap ?? null,
      roic: scored?.roic ?? null,
      operating_margin: scored?.operating_margin ?? null,
      revenue_growth: growth.revenue_cagr,
    },
    benchmarks,
  );

  const sectorBlock = sectorPerformanceBlock(sectorRows, day);
  const industryBlock = industryPerformanceBlock(
    industry ? (context.industryPerformance.get(industry) ?? []) : [],
    day,
  );
  const sectorPe = sectorPeBlock(sector ? (context.sectorPe.get(sector) ?? []) : [], day);

  const prices = priceMetrics(known.prices, context.marketPrices, day);
  const lastDividend = latestBy(
    known.dividends.filter((d) => isNum(d.dividend_per_share)),
    (d) => String(d.year).padStart(4, "0"),
  );
  const marketCap = marketCapOnDay(scored, prices);
  const profileStructural = buildProfileStructural(input, {
    day,
    classification,
    prices,
    marketCap,
    lastDividend: lastDividend?.dividend_per_share ?? null,
    scores,
  });
  const ytd = own.YTD?.return_percent ?? null;
  const marketSnapshot = {
    price: prices.price,
    ytd_percent: ytd,
    div_yield:
      isNum(lastDividend?.dividend_per_share) && isNum(prices.price)
        ? lastDividend.dividend_per_share / prices.price
        : null,
  };

  const coverage = buildStructuralCoverage({
    maturity: maturity.fgos_maturity,
    industry_cadence: profileOfIndustry.cadence,
    growth_coverage: growth.coverage,
    valuation_metrics: multiples,
  });
  const layers = buildLayerStatus({
    maturity: maturity.fgos_maturity,
    sector,
    ifs,
    dominant_horizons: profileOfIndustry.dominant_horizons,
    relative_vs_sector: relativeVsSector,
    growth,
    valuation: { valuation_status: valuation.valuation_status, stage: valuation.stage },
    industry_performance_status: industryBlock.status,
  });
  const dataConfidence = buildDataConfidence({
    coverage,
    layer_status: layers,
    flags: {
      has_profile: input.profile !== null,
      has_financials: scored !== null,
      has_valuation: valuationRow !== null,
      has_performance: Object.keys(own).length > 0,
      has_fgos: fgos.fgos_status === "computed",
    },
    interpretation_context: {
      industry_cadence: profileOfIndustry.cadence,
      structural_horizon_min_years: profileOfIndustry.structural_horizon_min_years,
      dominant_horizons_used: [...profileOfIndustry.dominant_horizons],
    },
    fundamentals: {
      fundamentals_years_count: maturity.fundamentals_years_count,
      fundamentals_first_year: maturity.fundamentals_first_year,
      fundamentals_last_year: maturity.fundamentals_last_year,
    },
  });

  const inputDates = {
    price_date: prices.priceDate,
    performance_date: newest(Object.values(own).map((r) => r?.performance_date)),
    financials_period_end: scored?.period_end_date ?? null,
    financials_filed: newest([...known.fiscalYears, ...known.scorable].map((r) => r.filing_date)),
    valuation_date: valuationRow?.valuation_date ?? null,
    valuation_filed: newest(known.valuations.map((v) => v.filing_date)),
    dividends_filed: newest(known.dividends.map((d) => d.filing_date)),
    peers_filed: peers.newestFiling,
    scores_date: scores?.score_date ?? null,
    benchmarks_date: benchmarkDate,
    sector_performance_date: sectorBlock.date,
    industry_performance_date: industryBlock.date,
    sector_pe_date: sectorPe.date,
  };

  return {
    ticker: input.ticker,
    snapshot_date: day,
    engine_version: ENGINE_VERSION,
    classification,
    profile_structural: profileStructural,
    market_snapshot: marketSnapshot,
    sector_performance: sectorBlock,
    industry_performance: industryBlock,
    sector_pe: sectorPe,
    fundamentals_growth: growth,
    fgos_score: fgos.fgos_score,
    fgos_category: fgos.fgos_category,
    fgos_status: fgos.fgos_status,
    fgos_reason: fgos.fgos_components.reason,
    fgos_confidence_percent: fgos.fgos_confidence_percent,
    fgos_confidence_label: fgos.fgos_confidence_label,
    fgos_maturity: maturity.fgos_maturity,
    fgos_components: fgos.fgos_components,
    valuation,
    market_position: marketPosition,
    investment_verdict: verdict,
    strategic_state: verdict,
    relative_return: relativeReturn.windows_used.length > 0 ? relativeReturn : null,
    ifs,
    ifs_fy: iqs,
    dividend_quality: dividends,
    ...persistedRelative(relative),
    data_confidence: dataConfidence,
    input_dates: inputDates,
    latest_input_date: newest([
      inputDates.price_date,
      inputDates.performance_date,
      inputDates.financials_period_end,
      newest(known.fiscalYears.map((r) => r.period_end_date)),
      inputDates.valuation_date,
      newest(known.valuations.map((v) => v.valuation_date)),
      newest(known.dividends.map((d) => d.fiscal_year_end_date)),
      peers.newestEnd,
      inputDates.scores_date,
      inputDates.benchmarks_date,
      inputDates.sector_performance_date,
      inputDates.industry_performance_date,
      inputDates.sector_pe_date,
    ]),
    latest_filing_date: newest([
      inputDates.financials_filed,
      inputDates.valuation_filed,
      inputDates.dividends_filed,
      inputDates.peers_filed,
    ]),
  };
}

/**
 * Market cap on D: the diluted weighted shares of the row FGOS scores (a TTM carries its
 * latest quarter's) times the price on D. Never FMP's figure: it exists only for the day
 * FMP was read, so a backfill would price the same day differently.
 */
export function marketCapOnDay(
  scored: Pick<FinancialInput, "weighted_shares_out"> | null,
  prices: Pick<PriceMetrics, "price">,
): { value: number | null; source: "shares_x_close" | null } {
  const shares = scored?.weighted_shares_out;
  if (isNum(shares) && shares > 0 && isNum(prices.price)) {
    return { value: shares * prices.price, source: "shares_x_close" };
  }
  return { value: null, source: null };
}

/** profile_structural (spec §17), from our tables; `pending` without a company profile. */
export function buildProfileStructural(
  input: Pick<TickerInputs, "ticker" | "universe" | "profile">,
  parts: {
    day: string;
    classification: Classification;
    prices: PriceMetrics;
    marketCap: ReturnType<typeof marketCapOnDay>;
    lastDividend: number | null;
    scores: FinancialScoresRow | null;
  },
): Record<string, unknown> {
  const { prices, scores } = parts;
  const metrics = {
    marketCap: parts.marketCap.value,
    marketCapSource: parts.marketCap.source,
    price: prices.price,
    priceDate: prices.priceDate,
    previousClose: prices.previousClose,
    change: prices.change,
    changePercentage: prices.changePercentage,
    beta: prices.beta,
    lastDividend: parts.lastDividend,
    volume: prices.volume,
    averageVolume: prices.averageVolume,
    range: prices.range,
  };
  const classification = {
    sector: parts.classification.sector,
    industry: parts.classification.industry,
  };
  const financialScores = scores
    ? {
        altman_z: scores.altman_z,
        piotroski_score: scores.piotroski_score,
        inputs_period_label: scores.inputs_period_label,
        marketCap: scores.market_cap,
        revenue: scores.revenue,
        total_assets: scores.total_assets,
        total_liabilities: scores.total_liabilities,
        working_capital: scores.working_capital,
        ebit: scores.ebit,
        retainedEarnings: scores.retained_earnings,
        score_date: scores.score_date,
      }
    : null;
  const { profile, universe } = input;
  if (!profile) {
    return {
      status: "pending",
      computed: false,
      reason: "no company profile",
      source: "bulk",
      last_updated: parts.day,
      metrics,
      classification,
      financial_scores: financialScores,
    };
  }
  return {
    status: "computed",
    source: "bulk",
    last_updated: parts.day,
    identity: {
      name: profile.company_name ?? universe?.name ?? null,
      ticker: input.ticker,
      exchange: universe?.exchange_short ?? profile.exchange ?? null,
      exchangeFullName: universe?.exchange ?? null,
      country: profile.country ?? universe?.country ?? null,
      currency: profile.currency ?? universe?.currency ?? null,
      website: profile.website,
      ceo: profile.ceo,
      fullTimeEmployees: profile.employees,
      founded: profile.ipo_date,
      isEtf: universe?.is_etf ?? null,
      isAdr: universe?.is_adr ?? null,
      isActivelyTrading: prices.priceDate !== null,
    },
    metrics,
    classification,
    financial_scores: financialScores,
  };
}

/**
 * The row of a ticker whose build threw: pending with the error, every NOT NULL column
 * filled, so a bad ticker costs its scores and never its row (engines §0).
 */
export function failedSnapshot(
  input: TickerInputs,
  context: DayContext,
  error: unknown,
): BuiltSnapshot {
  const message = error instanceof Error ? error.message : String(error);
  const classification = resolveClassification(input.membership, input.profile);
  const pending = { status: "pending", reason: "engine_error", error: message };
  const verdict = {
    verdict_label: "inconclusive",
    verdict_score: null,
    confidence: null,
    drivers: {
      positives: [],
      negatives: ["Insufficient core FGOS data to form a verdict"],
      tensions: [],
    },
  };
  return {
    ...persistedRelative(null),
    ticker: input.ticker,
    snapshot_date: context.day,
    engine_version: ENGINE_VERSION,
    classification,
    profile_structural: { status: "pending", computed: false, reason: "engine_error" },
    market_snapshot: { price: null, ytd_percent: null, div_yield: null },
    sector_performance: null,
    industry_performance: null,
    sector_pe: null,
    fundamentals_growth: null,
    fgos_score: null,
    fgos_category: "Pending",
    fgos_status: "pending",
    fgos_reason: "engine_error",
    fgos_confidence_percent: null,
    fgos_confidence_label: null,
    fgos_maturity: null,
    fgos_components: pending,
    valuation: pending,
    market_position: pending,
    investment_verdict: verdict,
    strategic_state: verdict,
    relative_return: null,
    ifs: null,
    ifs_fy: null,
    dividend_quality: null,
    data_confidence: pending,
    input_dates: {},
    latest_input_date: null,
    latest_filing_date: null,
  };
}
