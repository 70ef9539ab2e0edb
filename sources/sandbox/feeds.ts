/**
 * The FMP API surface of the sandbox: for each stable endpoint, how its query parameters are
 * read and which rows it returns. Responses are described, not written: CSV feeds hand back
 * a row iterator that the server streams through the CSV writer chunk by chunk.
 *
 * Endpoints (base URL .../stable):
 *   profile-bulk?part=N                          CSV, paged; empty body past the last part
 *   eod-bulk?date=YYYY-MM-DD                     CSV; header only on days without trading
 *   income-statement-bulk?year=Y&period=P        CSV; P in Q1..Q4, FY; Y is the fiscal year
 *   balance-sheet-statement-bulk?year=Y&period=P
 *   cash-flow-statement-bulk?year=Y&period=P
 *   ratios-ttm-bulk, key-metrics-ttm-bulk, scores-bulk   CSV; one part (part>0 is empty)
 *   peers-bulk                                   CSV
 *   sec-filings-search/form-type?formType=F&from=D1&to=D2&page=0&limit=100   JSON
 *   sec-filings-search/symbol?symbol=S&from=D1&to=D2&page=0&limit=100        JSON
 *
 * Per symbol (JSON arrays, as FMP's stable API answers; [] for a symbol it does not know):
 *   profile?symbol=S                             the profile-bulk row
 *   income-statement?symbol=S&period=annual|quarter&limit=N   newest first (FY, or Q1..Q4;
 *   balance-sheet-statement, cash-flow-statement                 period=FY|Q1..Q4 filters)
 *   ratios-ttm?symbol=S, key-metrics-ttm?symbol=S   the TTM bulk row
 *   historical-price-eod/full?symbol=S&from=D1&to=D2          OHLCV per day, newest first
 *   historical-price-eod/dividend-adjusted?symbol=S&from=D1&to=D2   adjOpen..adjClose
 *   stock-peers?symbol=S                         one object per peer
 *
 * Each per-symbol answer holds exactly what the bulk files hold for the symbol (the same
 * row builders make both), so a run reading either sees the same figures.
 */
import { format } from "date-fns";
import { symbolRequests as fmpSymbolRequests } from "../fmp/endpoints/by-symbol.ts";
import { isIsoDate } from "./calendar.ts";
import {
  BALANCE_COLUMNS,
  CASH_FLOW_COLUMNS,
  EOD_COLUMNS,
  INCOME_COLUMNS,
  KEY_METRICS_TTM_COLUMNS,
  PEERS_COLUMNS,
  PROFILE_COLUMNS,
  RATIOS_TTM_COLUMNS,
  SCORES_COLUMNS,
} from "./columns.ts";
import { type CsvValue, CsvWriter, type RowCorruptor } from "./csv.ts";
import {
  companyFilings,
  compareFilings,
  FORM_TYPES,
  type FormType,
  filingJson,
} from "./filings.ts";
import { PERIODS, type Period } from "./fiscal.ts";
import type { SandboxMarket } from "./market.ts";
import { roundPrice } from "./prices.ts";
import {
  companyStatement,
  firstFiscalYear,
  type StatementKind,
  statementRow,
} from "./statements.ts";
import type { Instrument } from "./universe.ts";
import { keyMetricsTtmRow, ratiosTtmRow, scoresRow, ttmSnapshot } from "./valuation.ts";

export type FeedResponse =
  | { kind: "csv"; columns: readonly string[]; rows: Iterable<CsvValue[]> }
  /** A 200 with a zero-byte body (profile-bulk past its last part). */
  | { kind: "empty" }
  | { kind: "json"; body: unknown }
  | { kind: "error"; status: number; message: string };

/** Endpoint names (the path after /stable/) the sandbox answers. */
const ENDPOINTS = [
  "profile-bulk",
  "eod-bulk",
  "income-statement-bulk",
  "balance-sheet-statement-bulk",
  "cash-flow-statement-bulk",
  "ratios-ttm-bulk",
  "key-metrics-ttm-bulk",
  "scores-bulk",
  "peers-bulk",
  "sec-filings-search/form-type",
  "sec-filings-search/symbol",
  "profile",
  "income-statement",
  "balance-sheet-statement",
  "cash-flow-statement",
  "ratios-ttm",
  "key-metrics-ttm",
  "historical-price-eod/full",
  "historical-price-eod/dividend-adjusted",
  "stock-peers",
] as const;

export type Endpoint = (typeof ENDPOINTS)[number];

export function isEndpoint(name: string): name is Endpoint {
  return (ENDPOINTS as readonly string[]).includes(name);
}

const STATEMENT_ENDPOINTS: Partial<
  Record<Endpoint, { kind: StatementKind; columns: readonly string[] }>
> = {
  "income-statement-bulk": { kind: "income", columns: INCOME_COLUMNS },
  "balance-sheet-statement-bulk": { kind: "balance", columns: BALANCE_COLUMNS },
  "cash-flow-statement-bulk": { kind: "cash-flow", columns: CASH_FLOW_COLUMNS },
  "income-statement": { kind: "income", columns: INCOME_COLUMNS },
  "balance-sheet-statement": { kind: "balance", columns: BALANCE_COLUMNS },
  "cash-flow-statement": { kind: "cash-flow", columns: CASH_FLOW_COLUMNS },
};

function badRequest(message: string): FeedResponse {
  return { kind: "error", status: 400, message };
}

function integerParam(params: URLSearchParams, name: string, fallback: number): number | null {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : null;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function* profileRows(market: SandboxMarket, part: number): Generator<CsvValue[]> {
  const start = part * market.profilePartSize;
  const end = Math.min(market.listed.length, start + market.profilePartSize);
  for (let i = start; i < end; i++) {
    const row = profileRow(market, market.listed[i] as Instrument);
    if (row) yield row;
  }
}

function description(instrument: Instrument): string {
  if (instrument.type === "etf") {
    const target = instrument.trackedSector
      ? `the ${instrument.trackedSector} sector`
      : "the broad market";
    return `The ${instrument.name} seeks to track ${target}, before fees and expenses. It holds a "representative sample" of its index.`;
  }
  const short = instrument.name.split(" ")[0] ?? instrument.name;
  return `${instrument.name} operates in the ${instrument.industry} industry, part of the ${instrument.sector} sector. Headquartered in ${instrument.city}, the company (together with its subsidiaries, "${short}") serves customers in ${instrument.country === "US" ? "the United States" : instrument.country} and abroad.`;
}

function profileRow(market: SandboxMarket, instrument: Instrument): CsvValue[] | null {
  const econ = market.economics(instrument);
  const t = market.lastCloseIndex(instrument);
  let price: number | null = null;
  let change = 0;
  let changePercentage = 0;
  let volume = 0;
  let range = "";
  if (t >= 0) {
    const bar = market.prices.barAt(instrument, t);
    const from = Math.max(0, t - 251, market.calendar.indexOf(instrument.ipoDate));
    const closes = market.prices.closesBetween(instrument, from, t);
    let low = Number.POSITIVE_INFINITY;
    let high = 0;
    for (const close of closes) {
      low = Math.min(low, close);
      high = Math.max(high, close);
    }
    const previous = roundPrice(market.prices.closeAt(instrument, Math.max(0, t - 1)));
    price = bar.close;
    change = round(bar.close - previous, 4);
    changePercentage = round((100 * (bar.close - previous)) / previous, 5);
    volume = bar.volume;
    range = `${roundPrice(Math.min(low, bar.low))}-${roundPrice(Math.max(high, bar.high))}`;
  }
  const fiscalYear = Number(market.asOf.slice(0, 4));
  const marketCap = price === null ? 0 : Math.round(price * market.sharesOutstanding(instrument));
  return [
    instrument.symbol,
    price,
    marketCap,
    round(econ.beta, 3),
    market.dividendPerShare(instrument, fiscalYear),
    range,
    change,
    changePercentage,
    volume,
    econ.averageVolume,
    instrument.name,
    instrument.currency,
    instrument.cik,
    instrument.isin,
    instrument.cusip,
    instrument.exchange.fullName,
    instrument.exchange.code,
    instrument.industry,
    instrument.website,
    description(instrument),
    instrument.ceo,
    instrument.sector,
    instrument.country,
    instrument.type === "etf" ? "" : String(econ.employees),
    instrument.phone,
    instrument.address,
    instrument.city,
    instrument.state,
    instrument.zip,
    `https://images.financialmodelingprep.com/symbol/${instrument.symbol}.png`,
    instrument.ipoDate,
    false,
    instrument.type === "etf",
    market.isActive(instrument),
    instrument.isAdr,
    false,
  ];
}

function* eodRows(market: SandboxMarket, date: string): Generator<CsvValue[]> {
  for (const row of market.eodRows(date)) {
    yield [row.symbol, row.date, row.open, row.low, row.high, row.close, row.adjClose, row.volume];
  }
}

function* statementRows(
  market: SandboxMarket,
  kind: StatementKind,
  fiscalYear: number,
  period: Period,
): Generator<CsvValue[]> {
  for (const instrument of market.listed) {
    const statement = companyStatement(
      instrument,
      market.ledgerOpener(instrument),
      kind,
      fiscalYear,
      period,
      market.asOf,
    );
    if (statement) yield statementRow(statement);
  }
}

type TtmFeed = "ratios-ttm-bulk" | "key-metrics-ttm-bulk" | "scores-bulk";

/** One listed instrument's row of a TTM feed, or null (not a stock, no price, too young). */
function ttmRow(market: SandboxMarket, instrument: Instrument, feed: TtmFeed): CsvValue[] | null {
  if (instrument.type !== "stock") return null;
  const t = market.lastCloseIndex(instrument);
  if (t < 0) return null;
  const snapshot = ttmSnapshot(instrument, market.ledgerOpener(instrument), market.asOf);
  if (!snapshot) return null;
  const price = market.prices.barAt(instrument, t).close;
  const quote = { price, marketCap: Math.round(price * market.sharesOutstanding(instrument)) };
  if (feed === "ratios-ttm-bulk") return ratiosTtmRow(instrument.symbol, snapshot, quote);
  if (feed === "key-metrics-ttm-bulk") return keyMetricsTtmRow(instrument.symbol, snapshot, quote);
  return scoresRow(instrument, snapshot, quote);
}

function* ttmRows(market: SandboxMarket, feed: TtmFeed): Generator<CsvValue[]> {
  for (const instrument of market.listed) {
    const row = ttmRow(market, instrument, feed);
    if (row) yield row;
  }
}

function* peerRows(market: SandboxMarket): Generator<CsvValue[]> {
  for (const [symbol, peers] of market.peers()) {
    if (peers.length > 0) yield [symbol, peers.join(",")];
  }
}

// ---------------------------------------------------------------------------------------
// Per-symbol endpoints (JSON)

/** A bulk row as the JSON object FMP's per-symbol endpoint answers with (same names). */
function jsonObject(
  columns: readonly string[],
  values: readonly CsvValue[],
): Record<string, string | number | boolean | null> {
  const object: Record<string, string | number | boolean | null> = {};
  columns.forEach((column, i) => {
    const value = values[i];
    object[column] =
      value === undefined || (typeof value === "number" && !Number.isFinite(value)) ? null : value;
  });
  return object;
}

/** The instrument a per-symbol request names, if it is listed on asOf. */
function listedInstrument(market: SandboxMarket, params: URLSearchParams): Instrument | undefined {
  const symbol = (params.get("symbol") ?? "").trim();
  const instrument = market.instrument(symbol) ?? market.instrument(symbol.toUpperCase());
  return instrument && instrument.ipoDate <= market.asOf ? instrument : undefined;
}

/** FMP answers statements without `limit` with its newest 5. */
const DEFAULT_STATEMENT_LIMIT = 5;
const MAX_STATEMENT_LIMIT = 1000;

/**
 * A company's statements of one kind, newest first: FY rows (`annual`, or `FY`), Q1..Q4
 * rows (`quarter`), or one quarter (`Q1`..`Q4`), as the bulk files of each fiscal period
 * would list them on asOf, at most `limit`.
 */
function symbolStatements(
  market: SandboxMarket,
  instrument: Instrument,
  kind: StatementKind,
  periods: readonly Period[],
  limit: number,
): CsvValue[][] {
  const rows: CsvValue[][] = [];
  const first = firstFiscalYear(instrument);
  // A fiscal year is named after the year it ends in: asOf's year + 1 may have quarters.
  for (let year = Number(market.asOf.slice(0, 4)) + 1; year >= first; year--) {
    for (const period of periods) {
      const found = companyStatement(
        instrument,
        market.ledgerOpener(instrument),
        kind,
        year,
        period,
        market.asOf,
      );
      if (found) rows.push(statementRow(found));
      if (rows.length >= limit) return rows;
    }
  }
  return rows;
}

const STATEMENT_SPANS: Record<string, readonly Period[]> = {
  annual: ["FY"],
  FY: ["FY"],
  quarter: ["Q4", "Q3", "Q2", "Q1"],
  Q1: ["Q1"],
  Q2: ["Q2"],
  Q3: ["Q3"],
  Q4: ["Q4"],
};

/** FMP's default window for a price history without from/to: the last five years. */
const DEFAULT_PRICE_YEARS = 5;

/** The trading days of [from, to] a symbol traded on and the sandbox has prices for, newest first. */
function priceDays(
  market: SandboxMarket,
  instrument: Instrument,
  params: URLSearchParams,
): string[] | FeedResponse {
  const to = params.get("to") || market.asOf;
  const from =
    params.get("from") || `${Number(to.slice(0, 4)) - DEFAULT_PRICE_YEARS}${to.slice(4)}`;
  if (!isIsoDate(from) || !isIsoDate(to)) return badRequest("from and to must be YYYY-MM-DD dates");
  // Dates as text: the later start and the earlier end.
  const first = [from, market.historyStart].sort()[1] as string;
  const last = [to, market.asOf].sort()[0] as string;
  if (first > last) return [];
  return market
    .tradingDays(first, last)
    .filter((date) => market.tradesOn(instrument, date))
    .reverse();
}

function peerObject(market: SandboxMarket, symbol: string) {
  const instrument = market.instrument(symbol);
  if (!instrument) return null;
  const t = market.lastCloseIndex(instrument);
  const price = t >= 0 ? market.prices.barAt(instrument, t).close : null;
  return {
    symbol,
    companyName: instrument.name,
    price,
    mktCap: price === null ? null : Math.round(price * market.sharesOutstanding(instrument)),
  };
}

type SymbolEndpoint = Extract<
  Endpoint,
  | "profile"
  | "income-statement"
  | "balance-sheet-statement"
  | "cash-flow-statement"
  | "ratios-ttm"
  | "key-metrics-ttm"
  | "historical-price-eod/full"
  | "historical-price-eod/dividend-adjusted"
  | "stock-peers"
>;

/** One per-symbol request: a JSON array (empty for a symbol the market does not list). */
function respondBySymbol(
  market: SandboxMarket,
  endpoint: SymbolEndpoint,
  params: URLSearchParams,
): FeedResponse {
  if (!params.get("symbol")) return badRequest("symbol is required");
  const instrument = listedInstrument(market, params);
  const json = (body: unknown[]): FeedResponse => ({ kind: "json", body });
  switch (endpoint) {
    case "profile": {
      const row = instrument ? profileRow(market, instrument) : null;
      return json(row ? [jsonObject(PROFILE_COLUMNS, row)] : []);
    }
    case "income-statement":
    case "balance-sheet-statement":
    case "cash-flow-statement": {
      const periods = STATEMENT_SPANS[params.get("period") || "annual"];
      if (!periods) return badRequest("period must be annual, quarter, FY or Q1-Q4");
      const limit = integerParam(params, "limit", DEFAULT_STATEMENT_LIMIT);
      if (limit === null || limit < 1) return badRequest("limit must be a positive integer");
      const spec = STATEMENT_ENDPOINTS[endpoint];
      if (!spec || !instrument) return json([]);
      const rows = symbolStatements(
        market,
        instrument,
        spec.kind,
        periods,
        Math.min(limit, MAX_STATEMENT_LIMIT),
      );
      return json(rows.map((row) => jsonObject(spec.columns, row)));
    }
    case "ratios-ttm":
    case "key-metrics-ttm": {
      const feed = endpoint === "ratios-ttm" ? "ratios-ttm-bulk" : "key-metrics-ttm-bulk";
      const row = instrument ? ttmRow(market, instrument, feed) : null;
      const columns = feed === "ratios-ttm-bulk" ? RATIOS_TTM_COLUMNS : KEY_METRICS_TTM_COLUMNS;
      return json(row ? [jsonObject(columns, row)] : []);
    }
    case "historical-price-eod/full":
    case "historical-price-eod/dividend-adjusted": {
      if (!instrument) return json([]);
      const days = priceDays(market, instrument, params);
      if (!Array.isArray(days)) return days;
      const adjusted = endpoint === "historical-price-eod/dividend-adjusted";
      return json(
        days.map((date) => {
          const bar = market.eodRow(instrument, date);
          if (adjusted) {
            // No splits or dividend adjustments in the sandbox: adjusted prices are the prices.
            return {
              symbol: bar.symbol,
              date,
              adjOpen: bar.open,
              adjHigh: bar.high,
              adjLow: bar.low,
              adjClose: bar.adjClose,
              volume: bar.volume,
            };
          }
          const change = round(bar.close - bar.open, 4);
          return {
            symbol: bar.symbol,
            date,
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
            volume: bar.volume,
            change,
            changePercent: bar.open === 0 ? 0 : round((100 * change) / bar.open, 5),
            vwap: round((bar.high + bar.low + bar.close) / 3, 4),
          };
        }),
      );
    }
    case "stock-peers": {
      const peers = instrument ? market.peersOf(instrument.symbol) : [];
      return json(peers.map((peer) => peerObject(market, peer)).filter((peer) => peer !== null));
    }
  }
}

function secSearch(
  market: SandboxMarket,
  params: URLSearchParams,
  bySymbol: boolean,
  origin: string,
): FeedResponse {
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? format(new Date(), "yyyy-MM-dd");
  if (!isIsoDate(from) || !isIsoDate(to)) return badRequest("from and to must be YYYY-MM-DD dates");
  const page = integerParam(params, "page", 0);
  const limit = integerParam(params, "limit", 100);
  if (page === null || limit === null || limit < 1)
    return badRequest("page and limit must be integers");
  let rows: ReturnType<SandboxMarket["filings"]>;
  if (bySymbol) {
    const instrument = market.instrument(params.get("symbol") ?? "");
    if (!instrument) return { kind: "json", body: [] };
    rows = companyFilings(instrument, from, to, market.asOf).sort(compareFilings);
  } else {
    const formType = params.get("formType") ?? "";
    if (!(FORM_TYPES as readonly string[]).includes(formType)) {
      return badRequest(`formType must be one of ${FORM_TYPES.join(", ")}`);
    }
    rows = market.filings(from, to, formType as FormType);
  }
  const size = Math.min(limit, 1000);
  return {
    kind: "json",
    body: rows.slice(page * size, (page + 1) * size).map((f) => filingJson(f, origin)),
  };
}

/** Resolves one request to an endpoint into a response description. */
export function respond(
  market: SandboxMarket,
  endpoint: Endpoint,
  params: URLSearchParams,
  origin: string,
): FeedResponse {
  switch (endpoint) {
    case "profile-bulk": {
      const part = integerParam(params, "part", 0);
      if (part === null) return badRequest("part must be a non-negative integer");
      if (part * market.profilePartSize >= market.listed.length) return { kind: "empty" };
      return { kind: "csv", columns: PROFILE_COLUMNS, rows: profileRows(market, part) };
    }
    case "eod-bulk": {
      const date = params.get("date") ?? "";
      if (!isIsoDate(date)) return badRequest("date must be a YYYY-MM-DD date");
      return { kind: "csv", columns: EOD_COLUMNS, rows: eodRows(market, date) };
    }
    case "income-statement-bulk":
    case "balance-sheet-statement-bulk":
    case "cash-flow-statement-bulk": {
      const year = params.get("year") ?? "";
      const period = (params.get("period") ?? "").toUpperCase();
      if (!/^\d{4}$/.test(year)) return badRequest("year must be a four-digit fiscal year");
      if (!(PERIODS as readonly string[]).includes(period)) {
        return badRequest(`period must be one of ${PERIODS.join(", ")}`);
      }
      const spec = STATEMENT_ENDPOINTS[endpoint];
      if (!spec) return badRequest("unknown statement");
      return {
        kind: "csv",
        columns: spec.columns,
        rows: statementRows(market, spec.kind, Number(year), period as Period),
      };
    }
    case "ratios-ttm-bulk":
    case "key-metrics-ttm-bulk":
    case "scores-bulk": {
      const part = integerParam(params, "part", 0);
      if (part === null) return badRequest("part must be a non-negative integer");
      // The whole file is one part; later parts are empty so part-paging clients stop.
      if (part > 0) return { kind: "empty" };
      const columns =
        endpoint === "ratios-ttm-bulk"
          ? RATIOS_TTM_COLUMNS
          : endpoint === "key-metrics-ttm-bulk"
            ? KEY_METRICS_TTM_COLUMNS
            : SCORES_COLUMNS;
      return { kind: "csv", columns, rows: ttmRows(market, endpoint) };
    }
    case "peers-bulk":
      return { kind: "csv", columns: PEERS_COLUMNS, rows: peerRows(market) };
    case "sec-filings-search/form-type":
      return secSearch(market, params, false, origin);
    case "sec-filings-search/symbol":
      return secSearch(market, params, true, origin);
    case "profile":
    case "income-statement":
    case "balance-sheet-statement":
    case "cash-flow-statement":
    case "ratios-ttm":
    case "key-metrics-ttm":
    case "historical-price-eod/full":
    case "historical-price-eod/dividend-adjusted":
    case "stock-peers":
      return respondBySymbol(market, endpoint, params);
  }
}

/** Streams a CSV response as text chunks of ~64 KB. */
export function* csvChunks(
  columns: readonly string[],
  rows: Iterable<CsvValue[]>,
  corrupt?: RowCorruptor,
  onCorrupted?: (count: number) => void,
): Generator<string> {
  const writer = new CsvWriter(columns, corrupt);
  writer.header();
  for (const row of rows) {
    writer.row(row);
    if (writer.full) yield writer.take();
  }
  const rest = writer.take();
  if (rest) yield rest;
  onCorrupted?.(writer.corrupted);
}

/**
 * A whole endpoint body as one string, as the server would send it without faults (tests,
 * small markets, the benchmark's cache): CSV for the bulks ("" for an empty body), JSON for
 * the per-symbol and SEC endpoints. An error answer throws.
 */
export function renderEndpoint(
  market: SandboxMarket,
  endpoint: Endpoint,
  params: Record<string, string | number> = {},
  origin = "http://127.0.0.1",
): string {
  const search = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  );
  const response = respond(market, endpoint, search, origin);
  switch (response.kind) {
    case "empty":
      return "";
    case "csv":
      return [...csvChunks(response.columns, response.rows)].join("");
    case "json":
      return JSON.stringify(response.body);
    case "error":
      throw new Error(`${endpoint}: HTTP ${response.status}, ${response.message}`);
  }
}

/** One request of a scoped run, as the sandbox serves it: the path and its query (no apikey). */
interface SymbolRequest {
  /** "/stable/profile", "/stable/income-statement", ... */
  path: string;
  params: Record<string, string | number>;
}

/**
 * The requests a run scoped to `symbol` makes of FMP for trading day `day`
 * (`materialize '*' --ticker <symbol>`), with the run's clock in `today` (default: the
 * market's asOf). The FMP client's own list (sources/fmp `symbolRequests`), so what the
 * assets read and what a cache renders cannot drift apart. Render each with
 * `renderEndpoint(market, path without "/stable/", params)`.
 */
export function symbolRequests(
  market: SandboxMarket,
  symbol: string,
  day: string,
  today: string = market.asOf,
): SymbolRequest[] {
  return fmpSymbolRequests(symbol, day, today).map((request) => ({
    path: `/stable/${request.endpoint}`,
    params: { ...request.query },
  }));
}
