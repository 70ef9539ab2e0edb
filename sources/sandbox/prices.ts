/**
 * Daily prices: log price = market factor × beta + sector factor × loading + the stock's own
 * Brownian motion + drift, anchored to the company's reference price on PRICE_REFERENCE_DATE.
 *
 * The factors are shared series (one market, one per sector) built once over the whole
 * calendar: a few hundred thousand numbers. The stock's own motion is a Brownian bridge keyed
 * by a counter hash, so its value on any trading day costs O(log T) draws and nothing is
 * stored per ticker: serving one EOD day at 50,000 tickers never builds a price history.
 */

import type { TradingCalendar } from "./calendar.ts";
import type { CompanyEconomics } from "./company.ts";
import { hash2, normalAt } from "./random.ts";
import { SECTORS, type Sector } from "./taxonomy.ts";
import type { Instrument } from "./universe.ts";

/** Prices are pinned to each company's reference price on this date. */
const PRICE_REFERENCE_DATE = "2026-01-02";

const BRIDGE_LEVELS = 15;
const BRIDGE_SLOTS = 1 << BRIDGE_LEVELS;

const MARKET_DRIFT = 0.00025;
const MARKET_VOL = 0.009;
const SECTOR_VOL = 0.007;
/** Volatility regimes: the market's vol is scaled per block of ~one month. */
const REGIME_BLOCK = 21;

/** Cumulative log returns of the market and of each sector, per trading-day index. */
class FactorPaths {
  readonly market: Float64Array;
  readonly sectors: ReadonlyMap<Sector, Float64Array>;

  constructor(seed: number, days: number) {
    if (days > BRIDGE_SLOTS) throw new Error("calendar longer than the price model supports");
    const marketKey = hash2(seed, 0x6d6b74);
    this.market = new Float64Array(days);
    let level = 0;
    for (let t = 1; t < days; t++) {
      const regime = Math.exp(0.35 * normalAt(marketKey ^ 0x7e, Math.floor(t / REGIME_BLOCK)));
      level += MARKET_DRIFT + MARKET_VOL * regime * normalAt(marketKey, t);
      this.market[t] = level;
    }
    const sectors = new Map<Sector, Float64Array>();
    SECTORS.forEach((sector, i) => {
      const key = hash2(seed, 0x5ec000 + i);
      const path = new Float64Array(days);
      let value = 0;
      for (let t = 1; t < days; t++) {
        value += SECTOR_VOL * normalAt(key, t);
        path[t] = value;
      }
      sectors.set(sector, path);
    });
    this.sectors = sectors;
  }
}

/** W(t) of a standard Brownian motion on [0, BRIDGE_SLOTS], keyed by `key`. */
function brownianAt(key: number, t: number): number {
  let lo = 0;
  let hi = BRIDGE_SLOTS;
  let wLo = 0;
  let wHi = Math.sqrt(BRIDGE_SLOTS) * normalAt(key, 0);
  let node = 1;
  while (true) {
    if (t === lo) return wLo;
    if (t === hi) return wHi;
    const mid = (lo + hi) >> 1;
    const wMid = 0.5 * (wLo + wHi) + Math.sqrt((hi - lo) / 4) * normalAt(key, node);
    if (t < mid) {
      hi = mid;
      wHi = wMid;
      node = 2 * node;
    } else {
      lo = mid;
      wLo = wMid;
      node = 2 * node + 1;
    }
  }
}

/** Fills out[i] = W(from + i) for i in [0, to - from], visiting only the needed bridge nodes. */
function brownianRange(key: number, from: number, to: number, out: Float64Array): void {
  const fill = (lo: number, hi: number, wLo: number, wHi: number, node: number): void => {
    if (hi < from || lo > to) return;
    if (lo >= from) out[lo - from] = wLo;
    if (hi <= to) out[hi - from] = wHi;
    if (hi - lo <= 1) return;
    const mid = (lo + hi) >> 1;
    const wMid = 0.5 * (wLo + wHi) + Math.sqrt((hi - lo) / 4) * normalAt(key, node);
    fill(lo, mid, wLo, wMid, 2 * node);
    fill(mid, hi, wMid, wHi, 2 * node + 1);
  };
  fill(0, BRIDGE_SLOTS, 0, Math.sqrt(BRIDGE_SLOTS) * normalAt(key, 0), 1);
}

export interface DailyBar {
  open: number;
  low: number;
  high: number;
  close: number;
  volume: number;
}

/** Prices round to cents, sub-dollar prices to 4 decimals, as quotes are shown. */
export function roundPrice(price: number): number {
  if (price >= 1) return Math.round(price * 100) / 100;
  return Math.max(0.0001, Math.round(price * 10000) / 10000);
}

/** The price model of one market: factor paths plus per-instrument loadings. */
export class PriceModel {
  private readonly factors: FactorPaths;
  private readonly referenceIndex: number;
  /** W(reference) per instrument, computed on first use (NaN = not yet). */
  private readonly referenceNoise: Float64Array;

  private readonly economics: (instrument: Instrument) => CompanyEconomics;

  constructor(
    seed: number,
    calendar: TradingCalendar,
    instruments: number,
    economics: (instrument: Instrument) => CompanyEconomics,
  ) {
    this.economics = economics;
    this.factors = new FactorPaths(seed, calendar.days.length);
    this.referenceIndex = calendar.indexOnOrBefore(PRICE_REFERENCE_DATE);
    this.referenceNoise = new Float64Array(instruments).fill(Number.NaN);
  }

  /** The factor paths an instrument loads on (its sector's, or none). */
  private sectorPath(instrument: Instrument, econ: CompanyEconomics): Float64Array | null {
    const sector = instrument.type === "etf" ? instrument.trackedSector : instrument.sector;
    if (sector === null || econ.sectorLoading === 0) return null;
    return this.factors.sectors.get(sector) ?? null;
  }

  /** Log price move from the reference date explained by drift, market and sector. */
  private systematic(econ: CompanyEconomics, sectorPath: Float64Array | null, t: number): number {
    const ref = this.referenceIndex;
    const market = this.factors.market;
    let value = econ.beta * ((market[t] ?? 0) - (market[ref] ?? 0)) + econ.drift * (t - ref);
    if (sectorPath !== null)
      value += econ.sectorLoading * ((sectorPath[t] ?? 0) - (sectorPath[ref] ?? 0));
    return value;
  }

  private noiseAtReference(instrument: Instrument): number {
    let value = this.referenceNoise[instrument.index] ?? Number.NaN;
    if (Number.isNaN(value)) {
      value = brownianAt(instrument.key, this.referenceIndex);
      this.referenceNoise[instrument.index] = value;
    }
    return value;
  }

  /** Unrounded close on trading-day index t. */
  closeAt(instrument: Instrument, t: number): number {
    const econ = this.economics(instrument);
    const noise = brownianAt(instrument.key, t) - this.noiseAtReference(instrument);
    const systematic = this.systematic(econ, this.sectorPath(instrument, econ), t);
    return econ.priceRef * Math.exp(systematic + econ.idiosyncraticVol * noise);
  }

  /** Unrounded closes for indexes from..to inclusive. */
  closesBetween(instrument: Instrument, from: number, to: number): Float64Array {
    const econ = this.economics(instrument);
    const noise = new Float64Array(to - from + 1);
    brownianRange(instrument.key, from, to, noise);
    const anchor = this.noiseAtReference(instrument);
    const sectorPath = this.sectorPath(instrument, econ);
    for (let i = 0; i < noise.length; i++) {
      const systematic = this.systematic(econ, sectorPath, from + i);
      noise[i] =
        econ.priceRef * Math.exp(systematic + econ.idiosyncraticVol * ((noise[i] ?? 0) - anchor));
    }
    return noise;
  }

  /** The OHLCV bar of trading-day index t, rounded as served. */
  barAt(instrument: Instrument, t: number): DailyBar {
    const econ = this.economics(instrument);
    const close = roundPrice(this.closeAt(instrument, t));
    const previous = this.closeAt(instrument, Math.max(0, t - 1));
    const key = instrument.key ^ 0xba5;
    const vol = econ.idiosyncraticVol;
    const open = roundPrice(previous * Math.exp(0.35 * vol * normalAt(key, 4 * t)));
    const high = roundPrice(
      Math.max(open, close) * Math.exp(0.6 * vol * Math.abs(normalAt(key, 4 * t + 1))),
    );
    const low = roundPrice(
      Math.min(open, close) * Math.exp(-0.6 * vol * Math.abs(normalAt(key, 4 * t + 2))),
    );
    const move = Math.abs(Math.log(close / previous));
    const volume = Math.max(
      100,
      Math.round(econ.averageVolume * Math.exp(0.3 * normalAt(key, 4 * t + 3)) * (1 + 6 * move)),
    );
    return {
      open,
      low: Math.min(low, open, close),
      high: Math.max(high, open, close),
      close,
      volume,
    };
  }
}
