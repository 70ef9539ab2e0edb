/**
 * The price figures of D from datos_eod: the close and its change, volume, the 52-week
 * range and a one-year daily beta against the market. They fill profile_structural's
 * metrics and market_snapshot (profile.ts).
 */
import { daysBefore, yearsBefore } from "../../engines/dates.ts";
import { isNum, mean } from "../../engines/math.ts";
import { PRICE_STALE_DAYS } from "../staleness.ts";
import type { PricePoint } from "./types.ts";

/** Sessions averaged for `averageVolume` (about three months). */
const AVERAGE_VOLUME_SESSIONS = 63;
/** Daily returns needed for a one-year beta against the market. */
const BETA_MIN_RETURNS = 60;

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

const NO_PRICE: PriceMetrics = {
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
  if (!last || last.price_date < daysBefore(day, PRICE_STALE_DAYS)) return { ...NO_PRICE };
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
