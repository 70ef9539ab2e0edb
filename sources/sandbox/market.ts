/**
 * The sandbox market: a seeded universe viewed on one date (`asOf`). It answers the
 * questions the FMP feeds need (who is listed, what traded on a day, what was filed by
 * when) and gives tests and callers typed accessors to the same facts.
 *
 * Nothing is precomputed beyond the universe and the shared factor paths; prices, statements
 * and ratios are computed when asked, which keeps 50,000 tickers cheap.
 */
import { format, subYears } from "date-fns";
import { isIsoDate, toDate, toIso, tradingCalendar } from "./calendar.ts";
import { type CompanyEconomics, companyEconomics, REFERENCE_FISCAL_YEAR } from "./company.ts";
import { companyFilings, compareFilings, type FormType, type SecFiling } from "./filings.ts";
import { type Period, quarterOrdinal } from "./fiscal.ts";
import { type CompanyLedger, LedgerCheckpoints } from "./ledger.ts";
import { buildPeers } from "./peers.ts";
import { type DailyBar, PriceModel, roundPrice } from "./prices.ts";
import { companyStatement, type StatementKind, statementRecord } from "./statements.ts";
import { INDUSTRIES, type Industry, SECTORS, type Sector } from "./taxonomy.ts";
import {
  BENCHMARK_SYMBOL,
  buildUniverse,
  type Instrument,
  type InstrumentType,
} from "./universe.ts";

interface SandboxMarketOptions {
  /** Number of instruments, SPY included (default 500, at most 50,000). */
  tickers?: number;
  /** Seed of everything random (default 42). */
  seed?: number;
  /** The date the market is seen from, YYYY-MM-DD (default: today, local time). */
  asOf?: string;
  /** Years of daily prices served before asOf (default 6). */
  historyYears?: number;
  /** Rows per profile-bulk part (default 2,000). */
  profilePartSize?: number;
}

/** One instrument as seen on the market's asOf. */
interface SandboxTicker {
  symbol: string;
  name: string;
  type: InstrumentType;
  sector: Sector;
  industry: string;
  /** FMP short exchange code (NASDAQ, NYSE, AMEX, LSE, TSX, XETRA, NSE, JPX). */
  exchange: string;
  exchangeFullName: string;
  country: string;
  currency: string;
  isAdr: boolean;
  ipoDate: string;
  /** Last trading day before delisting, when it is on or before asOf; null otherwise. */
  delistedDate: string | null;
  /** Trading on asOf (not delisted by then). */
  active: boolean;
  fiscalYearEndMonth: number;
  cik: string | null;
  paysDividends: boolean;
}

interface EodRow extends DailyBar {
  symbol: string;
  date: string;
  adjClose: number;
}

export const MAX_TICKERS = 50_000;
const DEFAULT_TICKERS = 500;
const DEFAULT_SEED = 42;
const DEFAULT_HISTORY_YEARS = 6;
const DEFAULT_PROFILE_PART_SIZE = 2_000;

export class SandboxMarket {
  readonly seed: number;
  readonly asOf: string;
  readonly historyYears: number;
  /** First date with prices (the first trading day on or after asOf − historyYears). */
  readonly historyStart: string;
  readonly benchmark = BENCHMARK_SYMBOL;
  readonly profilePartSize: number;
  readonly sectors: readonly Sector[] = SECTORS;
  readonly industries: readonly Industry[] = INDUSTRIES;
  /** Every generated instrument, including any listed after asOf (internal view). */
  readonly instruments: readonly Instrument[];
  /** Instruments listed on or before asOf, sorted by symbol: what profile-bulk lists. */
  readonly listed: readonly Instrument[];
  /** The same, as plain records. */
  readonly tickers: readonly SandboxTicker[];

  readonly calendar = tradingCalendar();
  readonly prices: PriceModel;
  private readonly economicsCache: (CompanyEconomics | undefined)[];
  private readonly checkpoints: LedgerCheckpoints;
  private readonly bySymbol: Map<string, Instrument>;
  private peerCache: Map<string, string[]> | undefined;

  constructor(options: SandboxMarketOptions = {}) {
    const count = options.tickers ?? DEFAULT_TICKERS;
    if (!Number.isInteger(count) || count < 1 || count > MAX_TICKERS) {
      throw new Error(`tickers must be an integer from 1 to ${MAX_TICKERS}, got ${count}`);
    }
    this.seed = options.seed ?? DEFAULT_SEED;
    this.asOf = options.asOf ?? format(new Date(), "yyyy-MM-dd");
    if (!isIsoDate(this.asOf)) throw new Error(`asOf must be YYYY-MM-DD, got "${this.asOf}"`);
    this.historyYears = options.historyYears ?? DEFAULT_HISTORY_YEARS;
    if (!(this.historyYears > 0)) throw new Error("historyYears must be positive");
    this.profilePartSize = options.profilePartSize ?? DEFAULT_PROFILE_PART_SIZE;
    if (!Number.isInteger(this.profilePartSize) || this.profilePartSize < 1) {
      throw new Error("profilePartSize must be a positive integer");
    }
    const start = toIso(subYears(toDate(this.asOf), Math.floor(this.historyYears)));
    const startIndex = this.calendar.indexOnOrBefore(start);
    this.historyStart =
      this.calendar.days[startIndex] === start
        ? start
        : this.calendar.dateAt(Math.max(0, startIndex + 1));
    if (this.asOf < this.historyStart)
      throw new Error(`asOf ${this.asOf} is before the sandbox calendar`);

    this.instruments = buildUniverse(this.seed, count);
    this.economicsCache = new Array(this.instruments.length);
    this.bySymbol = new Map(this.instruments.map((i) => [i.symbol, i]));
    this.listed = this.instruments.filter((i) => i.ipoDate <= this.asOf);
    this.tickers = this.listed.map((i) => this.describe(i));
    this.prices = new PriceModel(this.seed, this.calendar, this.instruments.length, (i) =>
      this.economics(i),
    );
    // Saved books three years and one year back: recent periods then step only a few quarters.
    const year = Number(this.asOf.slice(0, 4));
    this.checkpoints = new LedgerCheckpoints(this.instruments.length, [
      quarterOrdinal(year - 3, 1) - 1,
      quarterOrdinal(year - 1, 1) - 1,
    ]);
  }

  /** A company's ledger positioned at or before quarter ordinal `before` (see ledger.ts). */
  ledger(instrument: Instrument, before: number): CompanyLedger {
    return this.checkpoints.open(instrument, this.economics(instrument), before);
  }

  /** The ledger opener statements and valuations take for one instrument. */
  ledgerOpener(instrument: Instrument): (before: number) => CompanyLedger {
    return (before) => this.ledger(instrument, before);
  }

  private describe(instrument: Instrument): SandboxTicker {
    const delisted =
      instrument.delistedDate !== null && instrument.delistedDate < this.asOf
        ? instrument.delistedDate
        : null;
    return {
      symbol: instrument.symbol,
      name: instrument.name,
      type: instrument.type,
      sector: instrument.sector,
      industry: instrument.industry,
      exchange: instrument.exchange.code,
      exchangeFullName: instrument.exchange.fullName,
      country: instrument.country,
      currency: instrument.currency,
      isAdr: instrument.isAdr,
      ipoDate: instrument.ipoDate,
      delistedDate: delisted,
      active: delisted === null,
      fiscalYearEndMonth: instrument.fiscalYearEndMonth,
      cik: instrument.cik,
      paysDividends: this.economics(instrument).dividendPerShareRef > 0,
    };
  }

  /** The instrument's static economics (cached: drawn once per market). */
  economics(instrument: Instrument): CompanyEconomics {
    let econ = this.economicsCache[instrument.index];
    if (!econ) {
      econ = companyEconomics(instrument);
      this.economicsCache[instrument.index] = econ;
    }
    return econ;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol);
  }

  ticker(symbol: string): SandboxTicker | undefined {
    const instrument = this.bySymbol.get(symbol);
    return instrument && instrument.ipoDate <= this.asOf ? this.describe(instrument) : undefined;
  }

  /** Active on asOf: listed and not delisted. */
  isActive(instrument: Instrument): boolean {
    return (
      instrument.ipoDate <= this.asOf &&
      (instrument.delistedDate === null || instrument.delistedDate >= this.asOf)
    );
  }

  isTradingDay(date: string): boolean {
    return this.calendar.isTradingDay(date);
  }

  tradingDays(from: string, to: string): string[] {
    return this.calendar.tradingDays(from, to);
  }

  latestTradingDay(onOrBefore: string): string {
    return this.calendar.latestTradingDay(onOrBefore);
  }

  /** Whether eod-bulk has rows for the date: a trading day within [historyStart, asOf]. */
  hasPrices(date: string): boolean {
    return date >= this.historyStart && date <= this.asOf && this.calendar.isTradingDay(date);
  }

  /** Trades on a date: listed by then and not yet delisted. */
  tradesOn(instrument: Instrument, date: string): boolean {
    return (
      instrument.ipoDate <= date &&
      (instrument.delistedDate === null || date <= instrument.delistedDate)
    );
  }

  /** The bar served for one instrument on a date (assumes hasPrices and tradesOn). */
  eodRow(instrument: Instrument, date: string): EodRow {
    const bar = this.prices.barAt(instrument, this.calendar.indexOf(date));
    return { symbol: instrument.symbol, date, ...bar, adjClose: bar.close };
  }

  /** Every row eod-bulk serves for a date (empty on weekends, holidays and after asOf). */
  *eodRows(date: string): Generator<EodRow> {
    if (!this.hasPrices(date)) return;
    for (const instrument of this.instruments) {
      if (this.tradesOn(instrument, date)) yield this.eodRow(instrument, date);
    }
  }

  eod(date: string): EodRow[] {
    return [...this.eodRows(date)];
  }

  /** Trading-day index of an instrument's last close on or before asOf, or -1. */
  lastCloseIndex(instrument: Instrument): number {
    const until =
      instrument.delistedDate !== null && instrument.delistedDate < this.asOf
        ? instrument.delistedDate
        : this.asOf;
    const index = this.calendar.indexOnOrBefore(until);
    if (index < 0 || this.calendar.dateAt(index) < instrument.ipoDate) return -1;
    return index;
  }

  /** Served (rounded) closes of a symbol on each trading day in [from, to] it traded. */
  closes(symbol: string, from: string, to: string): { dates: string[]; closes: number[] } {
    const instrument = this.bySymbol.get(symbol);
    if (!instrument) throw new Error(`unknown sandbox symbol ${symbol}`);
    const first = from < this.historyStart ? this.historyStart : from;
    const last = to > this.asOf ? this.asOf : to;
    const dates = this.calendar
      .tradingDays(first, last)
      .filter((d) => this.tradesOn(instrument, d));
    if (dates.length === 0) return { dates, closes: [] };
    const fromIndex = this.calendar.indexOf(dates[0] as string);
    const toIndex = this.calendar.indexOf(dates[dates.length - 1] as string);
    const raw = this.prices.closesBetween(instrument, fromIndex, toIndex);
    return { dates, closes: Array.from(raw, roundPrice) };
  }

  /** One statement as served on asOf, keyed by FMP column name; undefined if not yet filed. */
  statement(
    symbol: string,
    kind: StatementKind,
    fiscalYear: number,
    period: Period,
  ): Record<string, string | number | null> | undefined {
    const instrument = this.bySymbol.get(symbol);
    if (!instrument) return undefined;
    const found = companyStatement(
      instrument,
      this.ledgerOpener(instrument),
      kind,
      fiscalYear,
      period,
      this.asOf,
    );
    return found ? statementRecord(kind, found) : undefined;
  }

  /** Peer lists of active stocks (computed once per market). */
  peers(): Map<string, string[]> {
    if (!this.peerCache) {
      const candidates = this.instruments
        .filter((i) => i.type === "stock" && this.isActive(i))
        .map((i) => ({
          symbol: i.symbol,
          sector: i.sector,
          industry: i.industry,
          size: this.economics(i).revenueRefK / i.exchange.perUsd,
        }));
      this.peerCache = buildPeers(candidates);
    }
    return this.peerCache;
  }

  peersOf(symbol: string): string[] {
    return this.peers().get(symbol) ?? [];
  }

  /** SEC filings with a filing date in [from, to] (and on or before asOf), newest first. */
  filings(from: string, to: string, formType?: FormType): SecFiling[] {
    const found: SecFiling[] = [];
    for (const instrument of this.instruments) {
      for (const filing of companyFilings(instrument, from, to, this.asOf)) {
        if (formType === undefined || filing.formType === formType) found.push(filing);
      }
    }
    return found.sort(compareFilings);
  }

  /**
   * Shares outstanding on asOf (or on the delisting day): the company's share drift from the
   * reference year, the count profile-bulk and the TTM feeds use for market capitalisation.
   */
  sharesOutstanding(instrument: Instrument): number {
    const econ = this.economics(instrument);
    const date = this.calendar.dateAt(Math.max(0, this.lastCloseIndex(instrument)));
    const years =
      Number(date.slice(0, 4)) +
      (Number(date.slice(5, 7)) - 0.5) / 12 -
      (REFERENCE_FISCAL_YEAR + 0.5);
    return Math.round(econ.sharesRef * Math.exp(econ.shareDrift * years));
  }

  /** Dividend per share a company pays in a fiscal year (0 for non-payers). */
  dividendPerShare(instrument: Instrument, fiscalYear: number): number {
    const econ = this.economics(instrument);
    if (econ.dividendPerShareRef <= 0 || fiscalYear < econ.dividendStartYear) return 0;
    const annual =
      econ.dividendPerShareRef * (1 + econ.dividendGrowth) ** (fiscalYear - REFERENCE_FISCAL_YEAR);
    return Math.round(annual * 25) / 25;
  }
}

/** Creates a seeded market (see SandboxMarketOptions for defaults). */
export function createSandboxMarket(options: SandboxMarketOptions = {}): SandboxMarket {
  return new SandboxMarket(options);
}
