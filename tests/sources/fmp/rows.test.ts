/**
 * Row validation and the endpoint catalogue, through the client with an injected fetch:
 * bad rows are counted, sampled and skipped; headers are checked; legacy column names are
 * read into stable keys; paged, quoted and oddly framed bodies parse.
 */
import { describe, expect, it } from "vitest";
import {
  createFmpClient,
  eodBulk,
  FmpError,
  type FmpLogger,
  incomeStatementBulk,
  keyMetricsTtmBulk,
  MAX_SAMPLES,
  peersBulk,
  profileBulk,
  ratiosTtmBulk,
  scoresBulk,
} from "../../../sources/fmp/index.ts";
import { type Answer, csv, fakeFetch } from "./helpers/fake-fetch.ts";

const KEY = "test-key-0123456789";

function clientFor(answer: (url: URL) => Answer, logger?: FmpLogger) {
  const fake = fakeFetch(answer);
  const fmp = createFmpClient({
    apiKey: KEY,
    baseUrl: "http://fmp.test/stable",
    fetch: fake.fetch,
    retries: 2,
    backoff: { minMs: 1, maxMs: 2 },
    ...(logger ? { logger } : {}),
  });
  return { fmp, urls: fake.urls };
}

const INCOME_HEADER = incomeStatementBulk.columns.map((column) => column.name);

/** An income row: the keys, then 31 numbers (revenue first). */
function incomeRow(symbol: string, overrides: Record<string, string | number | null> = {}) {
  const values: Record<string, string | number | null> = {
    date: "2025-09-30",
    symbol,
    reportedCurrency: "USD",
    cik: "0000789019",
    filingDate: "2025-10-29",
    acceptedDate: "2025-10-29 16:10:48",
    fiscalYear: "2026",
    period: "Q1",
  };
  INCOME_HEADER.slice(8).forEach((name, index) => {
    values[name] = 1000 + index;
  });
  Object.assign(values, overrides);
  return INCOME_HEADER.map((name) => values[name] ?? null);
}

async function expectFmpError(work: Promise<unknown> | (() => unknown)): Promise<FmpError> {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (error) {
    expect(error).toBeInstanceOf(FmpError);
    return error as FmpError;
  }
  throw new Error("expected an FmpError");
}

describe("bad rows", () => {
  it("are counted, sampled with row number, symbol and reason, and skipped", async () => {
    const body = csv(
      INCOME_HEADER,
      incomeRow("GOOD1"),
      incomeRow("BADNUM", { revenue: "12abc" }),
      incomeRow("", {}),
      incomeRow("BADPERIOD", { period: "Q9" }),
      [...incomeRow("SHORT").slice(0, 10)],
      incomeRow("BADDATE", { date: "30/09/2025" }),
      incomeRow("GOOD2", { revenue: -5.5e3, eps: null }),
    );
    const { fmp } = clientFor(() => body);
    const { rows, report } = await fmp.csv(incomeStatementBulk, { year: 2026, period: "Q1" }).all();

    expect(rows.map((row) => row.symbol)).toEqual(["GOOD1", "GOOD2"]);
    expect(rows[1]).toMatchObject({ revenue: -5500, eps: null, fiscalYear: 2026 });
    expect(report).toMatchObject({ rows: 2, skipped: 5, complete: true });
    expect(report.samples).toHaveLength(5);
    expect(report.samples[0]).toEqual({
      row: 2,
      symbol: "BADNUM",
      reason: 'revenue: not a number: "12abc"',
    });
    expect(report.samples[1]).toMatchObject({ row: 3, reason: "symbol: missing" });
    expect(report.samples[2]).toMatchObject({ row: 4, symbol: "BADPERIOD" });
    expect(report.samples[2]?.reason).toMatch(/^period: /);
    expect(report.samples[3]).toMatchObject({ row: 5, reason: "expected 39 fields, got 10" });
    expect(report.samples[4]).toMatchObject({ row: 6, symbol: "BADDATE" });
    expect(report.samples[4]?.reason).toMatch(/^date: /);
  });

  it(`keep at most ${MAX_SAMPLES} samples but count every one`, async () => {
    const bad = Array.from({ length: 12 }, (_, i) => incomeRow(`BAD${i}`, { netIncome: "n/a" }));
    const { fmp } = clientFor(() => csv(INCOME_HEADER, ...bad, incomeRow("OK")));
    const stream = fmp.csv(incomeStatementBulk, { year: 2026, period: "Q1" });
    const { rows } = await stream.all();
    expect(rows).toHaveLength(1);
    expect(stream.report.skipped).toBe(12);
    expect(stream.report.samples.map((sample) => sample.symbol)).toEqual([
      "BAD0",
      "BAD1",
      "BAD2",
      "BAD3",
      "BAD4",
    ]);
  });

  it("a row with malformed quotes is skipped, not guessed at", async () => {
    const body = `"symbol","date","open","low","high","close","adjClose","volume"
"AAA","2026-01-09",1,1,1,1,1,10
"B"B","2026-01-09",1,1,1,1,1,10
"CCC","2026-01-09",2,2,2,2,2,20`;
    const { fmp } = clientFor(() => body);
    const { rows, report } = await fmp.csv(eodBulk, { date: "2026-01-09" }).all();
    expect(rows.map((row) => row.symbol)).toEqual(["AAA", "CCC"]);
    expect(report.skipped).toBe(1);
    expect(report.samples[0]?.reason).toMatch(/quote/i);
  });
});

describe("headers", () => {
  it("a missing required column is one clear error naming the endpoint, not retried", async () => {
    const header = INCOME_HEADER.filter((name) => name !== "revenue" && name !== "netIncome");
    const { fmp, urls } = clientFor(() => csv(header));
    const error = await expectFmpError(
      fmp.csv(incomeStatementBulk, { year: 2026, period: "Q1" }).all(),
    );
    expect(error.kind).toBe("header");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /^FMP income-statement-bulk year=2026 period=Q1: unexpected CSV header, missing revenue, netIncome/,
    );
    expect(error.message).not.toContain("\n");
    expect(urls).toHaveLength(1);
  });

  it("extra columns never reach the row; absent optional columns read as null", async () => {
    const body = `"volume","symbol","date","open","low","high","close","brandNewColumn"
10,"AAA","2026-01-09",1.5,1,2,1.75,"x"`;
    const { fmp } = clientFor(() => body);
    const { rows } = await fmp.csv(eodBulk, { date: "2026-01-09" }).all();
    expect(rows).toEqual([
      {
        symbol: "AAA",
        date: "2026-01-09",
        open: 1.5,
        low: 1,
        high: 2,
        close: 1.75,
        adjClose: null,
        volume: 10,
      },
    ]);
  });

  it("handles CRLF line endings, a UTF-8 BOM and a trailing newline", async () => {
    const body = `\uFEFF"symbol","date","open","low","high","close","adjClose","volume"\r\n"AAA","2026-01-09",1,1,1,1,1,10\r\n"BBB","2026-01-09",2,2,2,2,2,20\r\n`;
    const { fmp } = clientFor(() => body);
    const { rows, report } = await fmp.csv(eodBulk, { date: "2026-01-09" }).all();
    expect(rows.map((row) => [row.symbol, row.volume])).toEqual([
      ["AAA", 10],
      ["BBB", 20],
    ]);
    expect(report.skipped).toBe(0);
  });
});

describe("[VERIFY] TTM columns: stable names, legacy names read into them", () => {
  it("ratios-ttm-bulk with stable names", async () => {
    const body = csv(
      [
        "symbol",
        "priceToEarningsRatioTTM",
        "debtToEquityRatioTTM",
        "interestCoverageRatioTTM",
        "dividendYieldTTM",
        "enterpriseValueMultipleTTM",
      ],
      ["AAPL", 35.2, 1.5, 0, 0.0041, 26.1],
    );
    const { fmp } = clientFor(() => body);
    const { rows } = await fmp.csv(ratiosTtmBulk, {}).all();
    expect(rows[0]).toMatchObject({
      symbol: "AAPL",
      priceToEarningsRatioTTM: 35.2,
      debtToEquityRatioTTM: 1.5,
      interestCoverageRatioTTM: 0,
      dividendYieldTTM: 0.0041,
      enterpriseValueMultipleTTM: 26.1,
      operatingProfitMarginTTM: null,
    });
  });

  it("ratios-ttm-bulk with the legacy v3 names the old jobs read", async () => {
    const body = csv(
      [
        "symbol",
        "priceEarningsRatioTTM",
        "debtEquityRatioTTM",
        "interestCoverageTTM",
        "dividendYielTTM",
        "priceToFreeCashFlowsRatioTTM",
        "evToEbitdaTTM",
      ],
      ["AAPL", 35.2, 1.5, 42, 0.0041, 30, 26.1],
    );
    const { fmp } = clientFor(() => body);
    const { rows } = await fmp.csv(ratiosTtmBulk, {}).all();
    expect(rows[0]).toMatchObject({
      priceToEarningsRatioTTM: 35.2,
      debtToEquityRatioTTM: 1.5,
      interestCoverageRatioTTM: 42,
      dividendYieldTTM: 0.0041,
      priceToFreeCashFlowRatioTTM: 30,
      enterpriseValueMultipleTTM: 26.1,
    });
    expect(Object.keys(rows[0] ?? {})).not.toContain("priceEarningsRatioTTM");
  });

  it("key-metrics-ttm-bulk, stable and legacy", async () => {
    const stable = csv(
      ["symbol", "marketCap", "enterpriseValueTTM", "evToEBITDATTM", "returnOnInvestedCapitalTTM"],
      ["MSFT", 3.5e12, 3.6e12, 24.5, 0.29],
    );
    const legacy = csv(
      ["symbol", "marketCapTTM", "enterpriseValue", "enterpriseValueOverEBITDATTM", "roicTTM"],
      ["MSFT", 3.5e12, 3.6e12, 24.5, 0.29],
    );
    for (const body of [stable, legacy]) {
      const { fmp } = clientFor(() => body);
      const { rows } = await fmp.csv(keyMetricsTtmBulk, {}).all();
      expect(rows[0]).toMatchObject({
        symbol: "MSFT",
        marketCap: 3.5e12,
        enterpriseValueTTM: 3.6e12,
        evToEBITDATTM: 24.5,
        returnOnInvestedCapitalTTM: 0.29,
        freeCashFlowMarginTTM: null,
      });
    }
  });

  it("a TTM file without its headline column is a header error", async () => {
    const { fmp } = clientFor(() => csv(["symbol", "currentRatioTTM"], ["AAPL", 1]));
    const error = await expectFmpError(fmp.csv(ratiosTtmBulk, {}).all());
    expect(error.kind).toBe("header");
    expect(error.message).toContain("missing priceToEarningsRatioTTM");
  });
});

describe("other endpoints", () => {
  const PROFILE_HEADER = profileBulk.columns.map((column) => column.name);
  const profile = (symbol: string, extra: Record<string, string | number | null> = {}) => {
    const values: Record<string, string | number | null> = {
      symbol,
      price: 100,
      marketCap: 1e9,
      companyName: `${symbol} Inc.`,
      sector: "Technology",
      industry: "Software - Infrastructure",
      country: "US",
      currency: "USD",
      exchange: "NASDAQ",
      exchangeFullName: "NASDAQ Global Select",
      isEtf: "false",
      isAdr: "false",
      isFund: "false",
      isActivelyTrading: "true",
      ...extra,
    };
    return PROFILE_HEADER.map((name) => values[name] ?? null);
  };

  it("profile-bulk reads parts until an empty one, with quoted text and flags", async () => {
    const parts: Record<string, string> = {
      "0": csv(
        PROFILE_HEADER,
        profile("AAA", {
          description: 'Makes "widgets", gadgets,\nand more.',
          fullTimeEmployees: "164,000",
          ipoDate: "1980-12-12",
        }),
        profile("SPY", { isEtf: "true", fullTimeEmployees: "" }),
      ),
      "1": csv(PROFILE_HEADER, profile("BBB", { isAdr: "true", fullTimeEmployees: "n/a" })),
      "2": "",
    };
    const { fmp, urls } = clientFor((url) => parts[url.searchParams.get("part") ?? ""] ?? "");
    const stream = fmp.csv(profileBulk, {});
    const { rows, report } = await stream.all();

    expect(urls.map((url) => url.searchParams.get("part"))).toEqual(["0", "1", "2"]);
    expect(rows.map((row) => row.symbol)).toEqual(["AAA", "SPY", "BBB"]);
    expect(rows[0]).toMatchObject({
      description: 'Makes "widgets", gadgets,\nand more.',
      fullTimeEmployees: 164_000,
      ipoDate: "1980-12-12",
      isEtf: false,
      isActivelyTrading: true,
      marketCap: 1e9,
      city: null,
    });
    expect(rows[1]).toMatchObject({ isEtf: true, fullTimeEmployees: null });
    expect(rows[2]).toMatchObject({ isAdr: true, fullTimeEmployees: null });
    expect(report).toMatchObject({ parts: 2, requests: 3, rows: 3, complete: true });
  });

  it("profile-bulk stops when a part repeats part 0 (the endpoint ignored part=)", async () => {
    const warnings: string[] = [];
    const body = csv(PROFILE_HEADER, profile("AAA"), profile("BBB"));
    const { fmp, urls } = clientFor(() => body, {
      info: () => {},
      warn: (message) => warnings.push(message),
    });
    const { rows, report } = await fmp.csv(profileBulk, {}).all();
    expect(rows.map((row) => row.symbol)).toEqual(["AAA", "BBB"]);
    expect(urls).toHaveLength(2);
    expect(report.parts).toBe(1);
    expect(warnings.join("\n")).toMatch(/repeats part 0/);
  });

  it("profile-bulk with an empty part 0 is an error", async () => {
    const { fmp } = clientFor(() => "");
    const error = await expectFmpError(fmp.csv(profileBulk, {}).all());
    expect(error.kind).toBe("empty");
    expect(error.message).toMatch(/^FMP profile-bulk part=0: empty body/);
  });

  it("profile-bulk reads the legacy mktCap into marketCap", async () => {
    const header = PROFILE_HEADER.map((name) => (name === "marketCap" ? "mktCap" : name));
    const { fmp } = clientFor((url) =>
      url.searchParams.get("part") === "0" ? csv(header, profile("AAA", { marketCap: 5e9 })) : "",
    );
    const { rows } = await fmp.csv(profileBulk, {}).all();
    expect(rows[0]?.marketCap).toBe(5e9);
  });

  it("peers-bulk splits the peer list; the legacy ticker/peersList header works", async () => {
    for (const header of [
      ["symbol", "peers"],
      ["ticker", "peersList"],
    ]) {
      const { fmp } = clientFor(() => csv(header, ["AAPL", "MSFT, GOOGL,,META "], ["LONE", null]));
      const { rows } = await fmp.csv(peersBulk, {}).all();
      expect(rows).toEqual([
        { symbol: "AAPL", peers: ["MSFT", "GOOGL", "META"] },
        { symbol: "LONE", peers: [] },
      ]);
    }
  });

  it("scores-bulk types its columns", async () => {
    const { fmp } = clientFor(() =>
      csv(
        ["symbol", "reportedCurrency", "altmanZScore", "piotroskiScore", "workingCapital"],
        ["AAPL", "USD", 9.1, 7, -1.2e10],
        ["ODD", "USD", 1, 6.5, 0],
      ),
    );
    const { rows, report } = await fmp.csv(scoresBulk, {}).all();
    expect(rows).toEqual([
      {
        symbol: "AAPL",
        reportedCurrency: "USD",
        altmanZScore: 9.1,
        piotroskiScore: 7,
        workingCapital: -1.2e10,
        totalAssets: null,
        retainedEarnings: null,
        ebit: null,
        marketCap: null,
        totalLiabilities: null,
        revenue: null,
      },
    ]);
    expect(report.samples[0]).toMatchObject({ symbol: "ODD", reason: /whole number/ });
  });
});

describe("batches and parameters", () => {
  it("hands out batches of batchSize rows, the last one shorter", async () => {
    const rows = Array.from({ length: 23 }, (_, i) => incomeRow(`S${i}`));
    const { fmp } = clientFor(() => csv(INCOME_HEADER, ...rows));
    const sizes: number[] = [];
    for await (const batch of fmp.csv(
      incomeStatementBulk,
      { year: 2026, period: "Q1" },
      { batchSize: 5 },
    )) {
      sizes.push(batch.length);
    }
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
  });

  it("rejects bad parameters before any request", async () => {
    const { fmp, urls } = clientFor(() => "");
    const cases: [() => unknown, RegExp][] = [
      [() => fmp.csv(incomeStatementBulk, { year: 2026, period: "Q5" as never }), /period/],
      [() => fmp.csv(incomeStatementBulk, { year: 26.5, period: "FY" }), /year/],
      [() => fmp.csv(eodBulk, { date: "2026-02-30" }), /date: not a calendar date/],
      [() => fmp.csv(eodBulk, { date: "2026-01-09", extra: 1 } as never), /extra/],
      [() => fmp.csv(ratiosTtmBulk, { part: 1 } as never), /part/],
    ];
    for (const [call, pattern] of cases) {
      const error = await expectFmpError(call);
      expect(error.kind).toBe("params");
      expect(error.message).toMatch(pattern);
    }
    expect(urls).toHaveLength(0);
  });

  it("sends the parameters and the key as FMP expects", async () => {
    const { fmp, urls } = clientFor(() => csv(INCOME_HEADER, incomeRow("A")));
    await fmp.csv(incomeStatementBulk, { year: 2025, period: "FY" }).all();
    expect(urls[0]?.pathname).toBe("/stable/income-statement-bulk");
    expect(Object.fromEntries(urls[0]?.searchParams ?? [])).toEqual({
      year: "2025",
      period: "FY",
      apikey: KEY,
    });
  });

  it("a stream is iterated once", async () => {
    const { fmp } = clientFor(() => csv(INCOME_HEADER, incomeRow("A")));
    const stream = fmp.csv(incomeStatementBulk, { year: 2026, period: "Q1" });
    await stream.all();
    await expect(stream.all()).rejects.toThrow(/iterated only once/);
  });
});
