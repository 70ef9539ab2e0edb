/**
 * FMP's per-symbol endpoints (JSON): what a run scoped to a few tickers reads instead of the
 * bulk files, one company per request.
 *
 *   profile?symbol=AAPL                                      one profile-bulk row
 *   income-statement?symbol=AAPL&period=annual|quarter&limit=N   (and balance-sheet-statement,
 *   cash-flow-statement): the newest N FY (annual) or Q1..Q4 (quarter) rows, newest first
 *   ratios-ttm?symbol=AAPL, key-metrics-ttm?symbol=AAPL      one TTM bulk row each
 *   historical-price-eod/full?symbol=&from=&to=              OHLCV per day (no adjClose)
 *   historical-price-eod/dividend-adjusted?symbol=&from=&to= adjOpen..adjClose per day
 *   stock-peers?symbol=AAPL                                  one object per peer
 *
 * FMP's stable JSON uses the bulk CSVs' names (the bulk files mirror it), so each endpoint
 * reads its objects with the bulk endpoint's row schema and columns (`JsonFieldsEndpoint`,
 * converted in json-fetch.ts `jsonCells`): a per-symbol row equals the bulk row of the same
 * figures, type for type. Two answers differ in shape from their bulk:
 * - prices: `full` has no adjusted close, so a day's EodRow joins `full` with
 *   `dividend-adjusted`'s adjClose (`eodRowsOf`);
 * - peers: one object per peer (symbol, companyName, price, mktCap), where peers-bulk has
 *   one row per company with a comma list (`peersRowOf`).
 *
 * `symbolRequests` lists every request a scoped run makes for one ticker (the sandbox and
 * the benchmark render exactly these).
 */
import { num, requiredDate, requiredText, text } from "../cells.ts";
import { defineCsvEndpoint, type Query, type RowOf } from "../endpoint.ts";
import type { JsonFieldsEndpoint } from "../json-fetch.ts";
import type { EodRow } from "./eod.ts";
import {
  STATEMENT_SPANS,
  type StatementSpan,
  type SymbolParams,
  type SymbolRangeParams,
  type SymbolStatementParams,
  symbolParams,
  symbolRangeParams,
  symbolStatementParams,
} from "./params.ts";
import type { PeersRow } from "./peers.ts";
import { profileBulk } from "./profile.ts";
import {
  balanceSheetStatementBulk,
  cashFlowStatementBulk,
  incomeStatementBulk,
} from "./statements.ts";
import { keyMetricsTtmBulk, ratiosTtmBulk } from "./ttm.ts";

/** The row shape (schema and columns) of a CSV endpoint, for a JSON endpoint to read with. */
interface RowShape<Row> {
  schema: JsonFieldsEndpoint<Row, unknown>["schema"];
  columns: JsonFieldsEndpoint<Row, unknown>["fields"];
}

function defineSymbolEndpoint<Row, Params>(spec: {
  name: string;
  params: JsonFieldsEndpoint<Row, Params>["params"];
  plan: string;
  rows: RowShape<Row>;
}): JsonFieldsEndpoint<Row, Params> {
  return {
    format: "json",
    name: spec.name,
    params: spec.params,
    plan: spec.plan,
    schema: spec.rows.schema,
    fields: spec.rows.columns,
  };
}

const PLAN = "per-symbol endpoints need an FMP plan that includes them";

export const profileBySymbol = defineSymbolEndpoint<RowOf<typeof profileBulk>, SymbolParams>({
  name: "profile",
  params: symbolParams,
  plan: PLAN,
  rows: profileBulk,
});

export const incomeStatementBySymbol = defineSymbolEndpoint<
  RowOf<typeof incomeStatementBulk>,
  SymbolStatementParams
>({
  name: "income-statement",
  params: symbolStatementParams,
  plan: PLAN,
  rows: incomeStatementBulk,
});

export const balanceSheetStatementBySymbol = defineSymbolEndpoint<
  RowOf<typeof balanceSheetStatementBulk>,
  SymbolStatementParams
>({
  name: "balance-sheet-statement",
  params: symbolStatementParams,
  plan: PLAN,
  rows: balanceSheetStatementBulk,
});

export const cashFlowStatementBySymbol = defineSymbolEndpoint<
  RowOf<typeof cashFlowStatementBulk>,
  SymbolStatementParams
>({
  name: "cash-flow-statement",
  params: symbolStatementParams,
  plan: PLAN,
  rows: cashFlowStatementBulk,
});

export const ratiosTtmBySymbol = defineSymbolEndpoint<RowOf<typeof ratiosTtmBulk>, SymbolParams>({
  name: "ratios-ttm",
  params: symbolParams,
  plan: PLAN,
  rows: ratiosTtmBulk,
});

export const keyMetricsTtmBySymbol = defineSymbolEndpoint<
  RowOf<typeof keyMetricsTtmBulk>,
  SymbolParams
>({
  name: "key-metrics-ttm",
  params: symbolParams,
  plan: PLAN,
  rows: keyMetricsTtmBulk,
});

/** historical-price-eod/full: one day's OHLCV (plus change, changePercent, vwap, unread). */
const dailyBar = defineCsvEndpoint({
  name: "historical-price-eod/full",
  params: symbolRangeParams,
  plan: PLAN,
  columns: {
    symbol: requiredText,
    date: requiredDate,
    open: num,
    high: num,
    low: num,
    close: num,
    volume: num,
  },
  required: ["symbol", "date", "open", "high", "low", "close", "volume"],
});

export const pricesBySymbol = defineSymbolEndpoint<RowOf<typeof dailyBar>, SymbolRangeParams>({
  name: "historical-price-eod/full",
  params: symbolRangeParams,
  plan: PLAN,
  rows: dailyBar,
});

/** historical-price-eod/dividend-adjusted: one day's prices adjusted for splits and dividends. */
const adjustedBar = defineCsvEndpoint({
  name: "historical-price-eod/dividend-adjusted",
  params: symbolRangeParams,
  plan: PLAN,
  columns: {
    symbol: requiredText,
    date: requiredDate,
    adjOpen: num,
    adjHigh: num,
    adjLow: num,
    adjClose: num,
    volume: num,
  },
  required: ["symbol", "date", "adjClose"],
});

export const adjustedPricesBySymbol = defineSymbolEndpoint<
  RowOf<typeof adjustedBar>,
  SymbolRangeParams
>({
  name: "historical-price-eod/dividend-adjusted",
  params: symbolRangeParams,
  plan: PLAN,
  rows: adjustedBar,
});

/** stock-peers: the companies FMP lists as the symbol's peers, one object each. */
const peer = defineCsvEndpoint({
  name: "stock-peers",
  params: symbolParams,
  plan: PLAN,
  columns: {
    symbol: requiredText,
    companyName: text,
    price: num,
    mktCap: num,
  },
  required: ["symbol"],
  aliases: { mktCap: ["marketCap"] },
});

export const peersBySymbol = defineSymbolEndpoint<RowOf<typeof peer>, SymbolParams>({
  name: "stock-peers",
  params: symbolParams,
  plan: PLAN,
  rows: peer,
});

type DailyBarRow = RowOf<typeof dailyBar>;
type AdjustedBarRow = RowOf<typeof adjustedBar>;
type PeerRow = RowOf<typeof peer>;

/**
 * The eod-bulk rows of one symbol from its two price answers: each day of `full` with the
 * same day's adjClose from `dividend-adjusted` (null when that answer lacks the day, which
 * the EOD quality gate then rejects as unpriced, as it would a bulk row without one).
 */
export function eodRowsOf(
  bars: readonly DailyBarRow[],
  adjusted: readonly AdjustedBarRow[],
): EodRow[] {
  const adjClose = new Map(
    adjusted.map((a) => [`${a.symbol.toUpperCase()} ${a.date}`, a.adjClose]),
  );
  return bars.map((b) => ({
    symbol: b.symbol,
    date: b.date,
    open: b.open,
    low: b.low,
    high: b.high,
    close: b.close,
    adjClose: adjClose.get(`${b.symbol.toUpperCase()} ${b.date}`) ?? null,
    volume: b.volume,
  }));
}

/** stock-peers' answer for `symbol` as the peers-bulk row FMP writes for it (none without peers). */
export function peersRowOf(symbol: string, peers: readonly PeerRow[]): PeersRow | null {
  const list = peers.map((p) => p.symbol.trim()).filter((p) => p.length > 0);
  return list.length > 0 ? { symbol, peers: list } : null;
}

/**
 * Fiscal years of statements a scoped run asks FMP for, counted back from the run day's
 * year: enough for the widest window a statement asset reads (fiscal years Y−6..Y+1, see
 * assets/statements/statements.ts `fiscalYearWindow`) with room to spare.
 */
const SYMBOL_STATEMENT_YEARS = 10;

/**
 * `limit` for a per-symbol statement request on `day`, seen from `today`: FMP answers the
 * newest periods first, so a backfill of an old day also needs the years filed since.
 */
export function statementLimit(span: StatementSpan, day: string, today: string): number {
  const since = Math.max(0, Number(today.slice(0, 4)) - Number(day.slice(0, 4)));
  const years = SYMBOL_STATEMENT_YEARS + since;
  return Math.min(1000, span === "annual" ? years : 4 * years);
}

/** The statement requests (income, balance sheet, cash flow × annual, quarter) of one symbol. */
export const STATEMENTS_BY_SYMBOL = {
  income: incomeStatementBySymbol,
  balance: balanceSheetStatementBySymbol,
  cashFlow: cashFlowStatementBySymbol,
} as const;

/** One request by endpoint name and query (without apikey), in the order FMP's client sends it. */
interface SymbolRequest {
  endpoint: string;
  query: Query;
}

/**
 * Every request a run scoped to `symbol` makes for trading day `day`, with the run's clock
 * on `today` (YYYY-MM-DD): the profile (fintra_universe, company_profiles), the day's prices
 * (datos_eod; plus the benchmark's, only when the scope has no price that day), the three
 * statements annual and quarterly (datos_financieros; the annual income and cash-flow
 * statements also serve datos_dividendos), TTM ratios and key metrics (datos_valuacion) and
 * peers (stock_peers).
 */
export function symbolRequests(symbol: string, day: string, today: string): SymbolRequest[] {
  const one = { symbol };
  const range = { symbol, from: day, to: day };
  const requests: SymbolRequest[] = [
    { endpoint: profileBySymbol.name, query: one },
    { endpoint: pricesBySymbol.name, query: range },
    { endpoint: adjustedPricesBySymbol.name, query: range },
  ];
  for (const endpoint of Object.values(STATEMENTS_BY_SYMBOL)) {
    for (const period of STATEMENT_SPANS) {
      requests.push({
        endpoint: endpoint.name,
        query: { symbol, period, limit: statementLimit(period, day, today) },
      });
    }
  }
  requests.push(
    { endpoint: ratiosTtmBySymbol.name, query: one },
    { endpoint: keyMetricsTtmBySymbol.name, query: one },
    { endpoint: peersBySymbol.name, query: one },
  );
  return requests;
}
