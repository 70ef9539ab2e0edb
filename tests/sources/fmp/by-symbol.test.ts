/**
 * FMP's per-symbol endpoints, as the sandbox serves them and the client reads them: each
 * answer holds exactly the rows the bulk files hold for the symbol, read with the bulk's
 * row schema (same values, same types), and a JSON answer's absent, non-finite and bad
 * values are reported like a CSV's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adjustedPricesBySymbol,
  balanceSheetStatementBulk,
  balanceSheetStatementBySymbol,
  type CsvEndpoint,
  cashFlowStatementBulk,
  cashFlowStatementBySymbol,
  createFmpClient,
  eodBulk,
  eodRowsOf,
  type FmpClient,
  incomeStatementBulk,
  incomeStatementBySymbol,
  type JsonEndpoint,
  keyMetricsTtmBulk,
  keyMetricsTtmBySymbol,
  PERIODS,
  peersBulk,
  peersBySymbol,
  peersRowOf,
  pricesBySymbol,
  profileBulk,
  profileBySymbol,
  ratiosTtmBulk,
  ratiosTtmBySymbol,
  type StatementParams,
  type SymbolStatementParams,
  statementLimit,
} from "../../../sources/fmp/index.ts";
import {
  createSandboxMarket,
  type Endpoint,
  renderEndpoint,
  type SandboxServer,
  startSandboxServer,
  symbolRequests,
} from "../../../sources/sandbox/index.ts";
import { fakeFetch } from "./helpers/fake-fetch.ts";

const ASOF = "2026-11-27";
const market = createSandboxMarket({ tickers: 80, seed: 7, asOf: ASOF, historyYears: 2 });
const stocks = market.tickers.filter((t) => t.type === "stock");
const delisted = stocks.find((t) => !t.active);
const foreign = stocks.find((t) => t.active && t.cik === null);
/** Stocks, an ETF, a delisted stock, a foreign filer and a symbol the market does not list. */
const SYMBOLS = [
  ...new Set(
    ["AAPL", "MSFT", "SPY", delisted?.symbol, foreign?.symbol, "ZZZZ9"].filter(
      (s): s is string => s !== undefined,
    ),
  ),
];

let server: SandboxServer;
let fmp: FmpClient;

beforeAll(async () => {
  server = await startSandboxServer({ market });
  fmp = createFmpClient({
    apiKey: "by-symbol-key",
    baseUrl: server.url,
    ratePerMinute: 100_000,
    backoff: { minMs: 1, maxMs: 2 },
  });
});
afterAll(() => server.close());

const bySymbol = <Row extends { symbol: string }>(rows: Row[], symbol: string) =>
  rows.filter((r) => r.symbol === symbol);

interface StatementRow {
  symbol: string;
  date: string;
  fiscalYear: number;
  period: string;
}

/** Each symbol's per-symbol statements of fiscal years 2023-2027 are the bulk files' rows. */
async function sameStatements<Row extends StatementRow>(
  bulk: CsvEndpoint<Row, StatementParams>,
  one: JsonEndpoint<Row, SymbolStatementParams>,
): Promise<void> {
  const years = [2023, 2024, 2025, 2026, 2027];
  const files = await Promise.all(
    years.flatMap((year) => PERIODS.map((period) => fmp.csv(bulk, { year, period }).all())),
  );
  const rows = files.flatMap((f) => f.rows);
  const key = (r: object) => JSON.stringify(r);
  for (const symbol of SYMBOLS) {
    const [annual, quarter] = await Promise.all([
      fmp.json(one, { symbol, period: "annual", limit: 100 }),
      fmp.json(one, { symbol, period: "quarter", limit: 400 }),
    ]);
    const got = [...annual.rows, ...quarter.rows].filter((r) => years.includes(r.fiscalYear));
    expect(got.map(key).sort(), `${bulk.name} ${symbol}`).toEqual(
      bySymbol(rows, symbol).map(key).sort(),
    );
    // Newest first, FY rows in the annual answer and Q1..Q4 in the quarterly one.
    const dates = quarter.rows.map((r) => r.date);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(annual.rows.every((r) => r.period === "FY")).toBe(true);
    expect(quarter.rows.every((r) => r.period !== "FY")).toBe(true);
  }
}

describe("per-symbol answers hold the bulk files' rows", () => {
  it("profile, TTM ratios and key metrics, peers", async () => {
    const [profiles, ratios, metrics, peers] = await Promise.all([
      fmp.csv(profileBulk, {}).all(),
      fmp.csv(ratiosTtmBulk, {}).all(),
      fmp.csv(keyMetricsTtmBulk, {}).all(),
      fmp.csv(peersBulk, {}).all(),
    ]);
    for (const symbol of SYMBOLS) {
      const one = { symbol };
      const [p, r, m, q] = await Promise.all([
        fmp.json(profileBySymbol, one),
        fmp.json(ratiosTtmBySymbol, one),
        fmp.json(keyMetricsTtmBySymbol, one),
        fmp.json(peersBySymbol, one),
      ]);
      expect(p.rows, symbol).toStrictEqual(bySymbol(profiles.rows, symbol));
      expect(r.rows, symbol).toStrictEqual(bySymbol(ratios.rows, symbol));
      expect(m.rows, symbol).toStrictEqual(bySymbol(metrics.rows, symbol));
      const peersRow = peersRowOf(symbol, q.rows);
      expect(peersRow ? [peersRow] : [], symbol).toStrictEqual(bySymbol(peers.rows, symbol));
      for (const report of [p.report, r.report, m.report, q.report]) {
        expect(report).toMatchObject({ skipped: 0, missingColumns: [], nonFinite: {} });
      }
    }
    expect(bySymbol(profiles.rows, "AAPL")).toHaveLength(1);
  });

  it("statements, annual and quarterly, back to the company's first fiscal year", async () => {
    await sameStatements(incomeStatementBulk, incomeStatementBySymbol);
    await sameStatements(balanceSheetStatementBulk, balanceSheetStatementBySymbol);
    await sameStatements(cashFlowStatementBulk, cashFlowStatementBySymbol);
  });

  it("limit keeps the newest periods", async () => {
    const all = await fmp.json(incomeStatementBySymbol, {
      symbol: "AAPL",
      period: "quarter",
      limit: 400,
    });
    const few = await fmp.json(incomeStatementBySymbol, {
      symbol: "AAPL",
      period: "quarter",
      limit: 5,
    });
    expect(few.rows).toStrictEqual(all.rows.slice(0, 5));
    expect(statementLimit("annual", "2026-11-27", "2026-12-01")).toBe(10);
    expect(statementLimit("quarter", "2024-03-01", "2026-12-01")).toBe(48);
  });

  it("prices: full and dividend-adjusted join into eod-bulk's rows, newest first", async () => {
    const days = market.tradingDays("2026-11-16", ASOF);
    const bulk = await Promise.all(days.map((date) => fmp.csv(eodBulk, { date }).all()));
    for (const symbol of SYMBOLS) {
      const range = { symbol, from: "2026-11-15", to: "2026-11-30" };
      const [full, adjusted] = await Promise.all([
        fmp.json(pricesBySymbol, range),
        fmp.json(adjustedPricesBySymbol, range),
      ]);
      const expected = bulk.flatMap((f) => bySymbol(f.rows, symbol)).reverse();
      expect(eodRowsOf(full.rows, adjusted.rows), symbol).toStrictEqual(expected);
    }
  });
});

describe("JSON answers are read like CSV rows", () => {
  const profile = {
    symbol: "ACME",
    price: 10.5,
    mktCap: 1e9,
    beta: "Infinity",
    companyName: "Acme",
    currency: "USD",
    exchange: "NYSE",
    exchangeFullName: "New York Stock Exchange",
    industry: "Tools",
    sector: "Industrials",
    country: "US",
    fullTimeEmployees: "1,200",
    ipoDate: "2001-02-03",
    isEtf: false,
    isAdr: false,
    isFund: false,
    isActivelyTrading: true,
    website: null,
  };

  function client(body: unknown, warnings: string[] = []) {
    const fake = fakeFetch(() => JSON.stringify(body));
    return createFmpClient({
      apiKey: "json-key",
      baseUrl: "https://fmp.test/stable",
      fetch: fake.fetch,
      backoff: { minMs: 1, maxMs: 2 },
      logger: { info: () => {}, warn: (m) => warnings.push(m) },
    });
  }

  it("converts values in one place: aliases, null, booleans, counts, non-finite", async () => {
    const warnings: string[] = [];
    const { rows, report } = await client([profile], warnings).json(profileBySymbol, {
      symbol: "ACME",
    });
    expect(rows[0]).toMatchObject({
      symbol: "ACME",
      price: 10.5,
      marketCap: 1e9,
      beta: null,
      fullTimeEmployees: 1200,
      website: null,
      isEtf: false,
      isActivelyTrading: true,
      ipoDate: "2001-02-03",
    });
    expect(report.nonFinite).toEqual({ beta: 1 });
    // Optional fields the answer lacks are named, as a CSV header's would be.
    expect(report.missingColumns).toContain("lastDividend");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /profile symbol=ACME: answer lacks optional field\(s\) .*lastDividend/,
    );
    expect(warnings[0]).not.toContain("json-key");
  });

  it("skips and samples a bad object; a missing required field is a format error", async () => {
    const bad = { ...profile, symbol: "BAD", price: "abc" };
    const { rows, report } = await client([profile, bad, 42]).json(profileBySymbol, {
      symbol: "ACME",
    });
    expect(rows.map((r) => r.symbol)).toEqual(["ACME"]);
    expect(report.skipped).toBe(2);
    expect(report.samples[0]).toMatchObject({ row: 2, symbol: "BAD" });
    expect(report.samples[0]?.reason).toMatch(/price: not a number/);

    const { companyName: _, ...nameless } = profile;
    await expect(client([nameless]).json(profileBySymbol, { symbol: "ACME" })).rejects.toThrow(
      /unexpected JSON fields, missing companyName/,
    );
    // An empty answer is a symbol FMP does not cover: no rows, no error.
    const empty = await client([]).json(profileBySymbol, { symbol: "NONE" });
    expect(empty.rows).toEqual([]);
  });

  it("refuses bad parameters before any request", async () => {
    const fmpClient = client([]);
    await expect(
      fmpClient.json(incomeStatementBySymbol, {
        symbol: "AAPL",
        period: "yearly" as "annual",
        limit: 5,
      }),
    ).rejects.toThrow(/bad parameters, period/);
    await expect(
      fmpClient.json(pricesBySymbol, { symbol: "AAPL", from: "2026-02-30", to: "2026-03-01" }),
    ).rejects.toThrow(/bad parameters, from/);
  });
});

describe("symbolRequests", () => {
  it("names requests the sandbox serves, each answered with the symbol's rows", async () => {
    const requests = symbolRequests(market, "AAPL", ASOF);
    expect(requests.map((r) => r.path)).toEqual([
      "/stable/profile",
      "/stable/historical-price-eod/full",
      "/stable/historical-price-eod/dividend-adjusted",
      "/stable/income-statement",
      "/stable/income-statement",
      "/stable/balance-sheet-statement",
      "/stable/balance-sheet-statement",
      "/stable/cash-flow-statement",
      "/stable/cash-flow-statement",
      "/stable/ratios-ttm",
      "/stable/key-metrics-ttm",
      "/stable/stock-peers",
    ]);
    for (const { path, params } of requests) {
      const body = JSON.parse(
        renderEndpoint(market, path.replace("/stable/", "") as Endpoint, params),
      ) as { symbol: string }[];
      expect(body.length, path).toBeGreaterThan(0);
      if (path !== "/stable/stock-peers") expect(body.every((r) => r.symbol === "AAPL")).toBe(true);
    }
  });
});
