/**
 * Every real FMP sample in the fixtures folder, served over loopback HTTP and read by the
 * client end to end: all rows parse and validate, and known figures come out right
 * (row counts from the fixtures README, example rows from spec/pipeline.md §5.2).
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  balanceSheetStatementBulk,
  type CsvEndpoint,
  cashFlowStatementBulk,
  createFmpClient,
  eodBulk,
  type FetchReport,
  incomeStatementBulk,
} from "../../../sources/fmp/index.ts";
import { type FaultServer, startFaultServer } from "./helpers/fault-server.ts";
import { fixturePath, fixturesDir, haveFixtures } from "./helpers/fixtures.ts";

/** Which endpoint and parameters produced each fixture file (its name says). */
function requestFor(file: string): { endpoint: CsvEndpoint<unknown, never>; params: object } {
  const statement = /^(income|balance|cash_flow)_(\d{4})_(FY|Q[1-4])\.csv$/.exec(file);
  if (statement) {
    const [, kind, year, period] = statement;
    const endpoint = {
      income: incomeStatementBulk,
      balance: balanceSheetStatementBulk,
      cash_flow: cashFlowStatementBulk,
    }[kind as "income" | "balance" | "cash_flow"];
    return {
      endpoint: endpoint as CsvEndpoint<unknown, never>,
      params: { year: Number(year), period },
    };
  }
  const eod = /^eod_(\d{4}-\d{2}-\d{2})\.csv$/.exec(file);
  if (eod) return { endpoint: eodBulk as CsvEndpoint<unknown, never>, params: { date: eod[1] } };
  throw new Error(`no endpoint known for fixture ${file}`);
}

/** Rows per file, header excluded (fixtures README). */
const EXPECTED_ROWS: Record<string, number> = {
  "income_2026_Q1.csv": 7_978,
  "balance_2026_Q1.csv": 7_835,
  "cash_flow_2026_Q1.csv": 7_479,
  "income_1990_Q1.csv": 2_193,
  "eod_2026-01-10.csv": 2_431,
};

type AnyRow = Record<string, unknown>;

describe.skipIf(!haveFixtures)(`real FMP files (${fixturesDir})`, () => {
  const files = haveFixtures ? readdirSync(fixturesDir).filter((f) => f.endsWith(".csv")) : [];
  const parsed = new Map<string, { rows: AnyRow[]; report: FetchReport }>();
  let server: FaultServer;

  beforeAll(async () => {
    // Serve the file the request names, streamed from disk as FMP streams it.
    server = await startFaultServer(({ path, query }) => {
      const name = {
        "income-statement-bulk": `income_${query.get("year")}_${query.get("period")}.csv`,
        "balance-sheet-statement-bulk": `balance_${query.get("year")}_${query.get("period")}.csv`,
        "cash-flow-statement-bulk": `cash_flow_${query.get("year")}_${query.get("period")}.csv`,
        "eod-bulk": `eod_${query.get("date")}.csv`,
      }[path];
      return name ? { file: fixturePath(name) } : { status: 404 };
    });
    const fmp = createFmpClient({ apiKey: "fixture-key", baseUrl: server.baseUrl });
    for (const file of files) {
      const { endpoint, params } = requestFor(file);
      const { rows, report } = await fmp.csv(endpoint, params as never, { batchSize: 997 }).all();
      parsed.set(file, { rows: rows as AnyRow[], report });
    }
  });

  afterAll(() => server?.close());

  it("reads every fixture file completely, with no row skipped", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const { rows, report } = parsed.get(file)!;
      expect(report.complete, file).toBe(true);
      expect(report.skipped, `${file}: ${JSON.stringify(report.samples)}`).toBe(0);
      expect(report.rows, file).toBe(rows.length);
      if (EXPECTED_ROWS[file] !== undefined) expect(rows.length, file).toBe(EXPECTED_ROWS[file]);
      expect(report.requests, file).toBe(1);
      // Real headers carry every column the endpoint reads: no "renamed column" warning.
      expect(report.missingColumns, file).toEqual([]);
    }
  });

  const rowOf = (file: string, symbol: string): AnyRow => {
    const row = parsed.get(file)?.rows.find((r) => r.symbol === symbol);
    if (!row) throw new Error(`${symbol} not in ${file}`);
    return row;
  };

  it("MSFT income, fiscal 2026 Q1 (a period that ended in calendar 2025)", () => {
    expect(rowOf("income_2026_Q1.csv", "MSFT")).toMatchObject({
      date: "2025-09-30",
      fiscalYear: 2026,
      period: "Q1",
      reportedCurrency: "USD",
      cik: "0000789019",
      filingDate: "2025-10-29",
      acceptedDate: "2025-10-29 16:10:48",
      revenue: 77_673_000_000,
      operatingIncome: 37_961_000_000,
      interestExpense: 698_000_000,
      netIncome: 27_747_000_000,
      eps: 3.73,
      epsDiluted: 3.72,
    });
  });

  it("MSFT balance sheet and cash flow, same period, agree on cash", () => {
    const balance = rowOf("balance_2026_Q1.csv", "MSFT");
    expect(balance).toMatchObject({
      cashAndCashEquivalents: 28_849_000_000,
      totalCurrentAssets: 189_066_000_000,
      totalCurrentLiabilities: 134_996_000_000,
      totalStockholdersEquity: 363_076_000_000,
      totalDebt: 60_556_000_000,
      netDebt: 31_707_000_000,
    });
    const cashFlow = rowOf("cash_flow_2026_Q1.csv", "MSFT");
    expect(cashFlow).toMatchObject({
      operatingCashFlow: 45_057_000_000,
      capitalExpenditure: -19_394_000_000,
      freeCashFlow: 25_663_000_000,
      cashAtEndOfPeriod: balance.cashAndCashEquivalents,
    });
  });

  it("keeps the fiscal year apart from the calendar year of the period end", () => {
    expect(rowOf("income_2026_Q1.csv", "001720.KS")).toMatchObject({
      date: "2025-06-30",
      fiscalYear: 2026,
      reportedCurrency: "KRW",
      revenue: 179_746_246_000,
    });
  });

  it("old filings: empty cells are null, FMP's Infinity eps is null and counted", () => {
    const { report } = parsed.get("income_1990_Q1.csv")!;
    expect(report.nonFinite).toEqual({ eps: 3 });
    expect(rowOf("income_1990_Q1.csv", "AIBG.L")).toMatchObject({
      eps: null,
      epsDiluted: 18.95,
      netIncome: 41_970_019,
    });
    expect(rowOf("income_1990_Q1.csv", "0HOB.L")).toMatchObject({
      netIncomeDeductions: null,
      otherAdjustmentsToNetIncome: null,
      netIncome: -200_000,
    });
  });

  it("EOD on a Saturday: crypto pairs, prices down to 1e-10", () => {
    expect(rowOf("eod_2026-01-10.csv", "USDTUSD")).toEqual({
      symbol: "USDTUSD",
      date: "2026-01-10",
      open: 0.99862,
      low: 0.99856,
      high: 0.999,
      close: 0.99874,
      adjClose: 0.99874,
      volume: 42_324_639_744,
    });
    expect(rowOf("eod_2026-01-10.csv", "EMAXUSD").open).toBe(2.6011185e-10);
  });

  it("the catalogue lists each file's columns in FMP's order (the sandbox can rely on it)", () => {
    for (const file of files) {
      const firstLine = readFileSync(fixturePath(file), "utf8").split("\n", 1)[0] ?? "";
      const header = firstLine.split(",").map((cell) => cell.replace(/^"|"$/g, ""));
      const { endpoint } = requestFor(file);
      expect(
        endpoint.columns.map((column) => column.name),
        file,
      ).toEqual(header);
    }
  });

  it("rows carry exactly the endpoint's columns, typed", () => {
    const income = rowOf("income_2026_Q1.csv", "MSFT");
    expect(Object.keys(income)).toHaveLength(39);
    for (const [key, value] of Object.entries(income)) {
      const textual = [
        "date",
        "symbol",
        "reportedCurrency",
        "cik",
        "filingDate",
        "acceptedDate",
        "period",
      ];
      expect(typeof value, key).toBe(textual.includes(key) ? "string" : "number");
    }
    expect(Object.keys(rowOf("balance_2026_Q1.csv", "MSFT"))).toHaveLength(61);
    expect(Object.keys(rowOf("cash_flow_2026_Q1.csv", "MSFT"))).toHaveLength(47);
  });
});
