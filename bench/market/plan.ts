/**
 * What bench:market runs and which files it needs: the two benchmark days, the price
 * history range, the cache folder's key, and the requests each stage makes of FMP (and of
 * the SEC), so the cache can be rendered complete before anything is measured. Pure.
 *
 * The request lists follow the assets: fintra_universe and company_profiles read
 * profile-bulk part by part until an empty part; datos_eod one eod-bulk per trading date;
 * datos_financieros the three statement bulks for every fiscal year of its window (Y−6..Y+1
 * on a first run, Y−1..Y+1 later) and every period; datos_dividendos the FY income and
 * cash-flow files of the same years; datos_valuacion ratios-ttm-bulk and key-metrics-ttm-bulk;
 * stock_peers peers-bulk; a run scoped to one ticker the per-symbol endpoints; the SEC jobs FMP's 8-K and 10-K listings of the run's week (pages
 * of 1,000 until a short one) and the documents they link to. A request nobody lists here
 * is a cache miss at run time: counted, printed and fatal to the run (see market.ts).
 */
import { addDays, format, parseISO, subDays, subYears } from "date-fns";
import { HISTORY_YEARS } from "../../assets/statements/statements.ts";
import { symbolRequests } from "../../sources/fmp/index.ts";
import { BENCHMARK_SYMBOL } from "../../sources/sandbox/index.ts";
import { filingWindow, LISTING_PAGE_SIZE } from "../../sources/sec/index.ts";
import { cacheKey } from "./static-server.mjs";

/** One request to the market: a path (with /stable for FMP) and its query without apikey. */
export interface PlannedRequest {
  path: string;
  query: Record<string, string | number>;
  /** Why it is needed (shown when the sandbox cannot serve it). */
  for: string;
}

/** A planned request whose continuation depends on the answer (parts, pages). */
export type PagedRequest = PlannedRequest & {
  /** profile-bulk: next part until an empty body; listings: next page until a short one. */
  paging: "part-until-empty" | "page-until-short";
};

export interface BenchDays {
  /** The cold first day. */
  day: string;
  /** The next trading day: the steady state, and the market's asOf. */
  next: string;
  /** First trading date of the price history backfill. */
  historyFrom: string;
  /** Last date of the backfill: the trading day before `day`. */
  historyTo: string;
}

/** The request's cache key: path, then the query sorted by name (apikey never part of it). */
export function requestKey(path: string, query: Record<string, string | number> = {}): string {
  return cacheKey(
    path,
    new URLSearchParams(
      Object.entries(query).map(([name, value]): [string, string] => [name, String(value)]),
    ),
  );
}

/**
 * D and D+1: the last two trading days before `before` (so a fixed `before` gives the same
 * days, and the same cache, on every run), and the history: `years` years of trading days
 * ending the day before D.
 */
export function benchDays(
  tradingDaysBetween: (from: string, to: string) => string[],
  before: string,
  years: number,
): BenchDays {
  const end = format(subDays(parseISO(before), 1), "yyyy-MM-dd");
  const recent = tradingDaysBetween(format(subDays(parseISO(before), 20), "yyyy-MM-dd"), end);
  const [day, next] = recent.slice(-2);
  if (!day || !next) throw new Error(`no two trading days before ${before}`);
  const history = tradingDaysBetween(
    format(subYears(parseISO(day), years), "yyyy-MM-dd"),
    format(subDays(parseISO(day), 1), "yyyy-MM-dd"),
  );
  const historyFrom = history[0];
  const historyTo = history.at(-1);
  if (!historyFrom || !historyTo)
    throw new Error(`no trading days in the ${years} years before ${day}`);
  return { day, next, historyFrom, historyTo };
}

/** Every weekday of [from, to]: the history's eod-bulk files (a holiday's is its header). */
export function weekdays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = parseISO(from); format(d, "yyyy-MM-dd") <= to; d = addDays(d, 1)) {
    const weekday = d.getDay();
    if (weekday !== 0 && weekday !== 6) days.push(format(d, "yyyy-MM-dd"));
  }
  return days;
}

/** Fiscal years any statement reader may ask for on `days`: the full window of each. */
export function statementYears(days: readonly string[]): number[] {
  const years = new Set<number>();
  for (const day of days) {
    const year = Number(day.slice(0, 4));
    for (let y = year - HISTORY_YEARS; y <= year + 1; y++) years.add(y);
  }
  return [...years].sort((a, b) => a - b);
}

const STATEMENT_BULKS = [
  "income-statement-bulk",
  "balance-sheet-statement-bulk",
  "cash-flow-statement-bulk",
] as const;
const PERIODS = ["FY", "Q1", "Q2", "Q3", "Q4"] as const;

/** Form types the weekly SEC jobs list (fintra_sec_event_signals, fintra_sec_structural_signals). */
export const SEC_FORM_TYPES = ["8-K", "10-K"] as const;

/** Requests of the daily graph and the backfill, whole market (bulk files). */
export function bulkRequests(days: BenchDays): (PlannedRequest | PagedRequest)[] {
  const requests: (PlannedRequest | PagedRequest)[] = [
    {
      path: "/stable/profile-bulk",
      query: { part: 0 },
      for: "fintra_universe, company_profiles",
      paging: "part-until-empty",
    },
  ];
  for (const date of weekdays(days.historyFrom, days.next)) {
    requests.push({ path: "/stable/eod-bulk", query: { date }, for: "datos_eod" });
  }
  for (const year of statementYears([days.day, days.next])) {
    for (const period of PERIODS) {
      for (const bulk of STATEMENT_BULKS) {
        requests.push({
          path: `/stable/${bulk}`,
          query: { period, year },
          for: "datos_financieros, datos_dividendos",
        });
      }
    }
  }
  requests.push(
    { path: "/stable/ratios-ttm-bulk", query: {}, for: "datos_valuacion" },
    { path: "/stable/key-metrics-ttm-bulk", query: {}, for: "datos_valuacion" },
    { path: "/stable/peers-bulk", query: {}, for: "stock_peers" },
  );
  return requests;
}

/** The weekly SEC jobs' listings for a run on `runDate` (their documents follow from the answers). */
export function secListingRequests(runDate: string): PagedRequest[] {
  const window = filingWindow(runDate);
  return SEC_FORM_TYPES.map((formType) => ({
    path: "/stable/sec-filings-search/form-type",
    query: { formType, from: window.from, to: window.to, page: 0, limit: LISTING_PAGE_SIZE },
    for: `SEC listing ${formType}`,
    paging: "page-until-short",
  }));
}

/**
 * The per-ticker stage's own requests (`materialize '*' --ticker T` on D+1), beyond the bulk
 * files and SEC listings above: FMP's per-symbol endpoints as the FMP client lists them for a
 * scoped run (`symbolRequests` in sources/fmp), plus the benchmark's prices, which a scoped
 * run reads when its ticker has no price that day. Extend this list when the assets learn
 * another per-symbol read; `--record` fills in whatever a run asks for that is not here.
 */
export function perTickerRequests(ticker: string, days: BenchDays): PlannedRequest[] {
  const own = symbolRequests(ticker, days.next, days.next);
  const benchmark = symbolRequests(BENCHMARK_SYMBOL, days.next, days.next).filter((r) =>
    r.endpoint.startsWith("historical-price-eod/"),
  );
  return [...own, ...benchmark].map((r) => ({
    path: `/stable/${r.endpoint}`,
    query: { ...r.query },
    for: `per-ticker ${r.endpoint}`,
  }));
}

/**
 * The cache folder's name: everything the files depend on, the sandbox's code included (a
 * changed generator renders anew rather than serving stale files).
 */
export function cacheName(options: {
  seed: number;
  tickers: number;
  years: number;
  day: string;
  sandboxFingerprint: string;
}): string {
  return `seed${options.seed}-t${options.tickers}-y${options.years}-${options.day}-${options.sandboxFingerprint}`;
}
