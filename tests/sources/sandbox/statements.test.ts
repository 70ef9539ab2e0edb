import { differenceInCalendarDays, parseISO } from "date-fns";
import { describe, expect, it } from "vitest";
import {
  CASH_FLOW_NON_ADDITIVE,
  createSandboxMarket,
  INCOME_NON_ADDITIVE,
  type Period,
  renderEndpoint,
  type StatementKind,
} from "../../../sources/sandbox/index.ts";
import { parseRecords } from "./support.ts";

const ASOF = "2026-06-30";
const market = createSandboxMarket({ tickers: 300, seed: 7, asOf: ASOF });
const stocks = market.tickers.filter((t) => t.type === "stock");
const QUARTERS: Period[] = ["Q1", "Q2", "Q3", "Q4"];

function statement(symbol: string, kind: StatementKind, year: number, period: Period) {
  const found = market.statement(symbol, kind, year, period);
  if (!found) throw new Error(`${symbol} ${kind} ${year} ${period} not filed`);
  return found as Record<string, number | string>;
}

function num(record: Record<string, number | string | null>, name: string): number {
  const value = record[name];
  if (typeof value !== "number") throw new Error(`${name} is not a number: ${value}`);
  return value;
}

/** Stocks with all four quarters and the FY of fiscal 2025 filed by asOf. */
const reporters = stocks.filter(
  (t) => market.statement(t.symbol, "income", 2025, "FY") !== undefined,
);

describe("sandbox statements", () => {
  it("has enough reporting companies to test", () => {
    expect(reporters.length).toBeGreaterThan(150);
  });

  it("balances every balance sheet", () => {
    for (const { symbol } of reporters) {
      for (const period of [...QUARTERS, "FY"] as Period[]) {
        const b = statement(symbol, "balance", 2025, period);
        const assets = num(b, "totalAssets");
        expect(assets, symbol).toBe(num(b, "totalLiabilitiesAndTotalEquity"));
        expect(assets).toBe(
          num(b, "totalCurrentAssets") + num(b, "totalNonCurrentAssets") + num(b, "otherAssets"),
        );
        expect(num(b, "totalLiabilitiesAndTotalEquity")).toBe(
          num(b, "totalLiabilities") + num(b, "totalEquity"),
        );
        expect(num(b, "netDebt")).toBe(num(b, "totalDebt") - num(b, "cashAndCashEquivalents"));
      }
    }
  });

  it("makes FY flows the sum of the four quarters, and FY balances Q4's", () => {
    for (const { symbol } of reporters.slice(0, 80)) {
      for (const kind of ["income", "cash-flow"] as const) {
        const fy = statement(symbol, kind, 2025, "FY");
        const quarters = QUARTERS.map((q) => statement(symbol, kind, 2025, q));
        const skip = new Set<string>(
          kind === "income" ? INCOME_NON_ADDITIVE : CASH_FLOW_NON_ADDITIVE,
        );
        for (const [name, value] of Object.entries(fy)) {
          if (typeof value !== "number" || skip.has(name)) continue;
          expect(value, `${symbol} ${kind} ${name}`).toBe(
            quarters.reduce((s, q) => s + num(q, name), 0),
          );
        }
        expect(fy.date).toBe(quarters[3]?.date);
        expect(fy.filingDate).toBe(quarters[3]?.filingDate);
      }
      const fyBalance = statement(symbol, "balance", 2025, "FY");
      const q4Balance = statement(symbol, "balance", 2025, "Q4");
      expect({ ...fyBalance, period: "Q4" }).toEqual(q4Balance);
      const fyCash = statement(symbol, "cash-flow", 2025, "FY");
      expect(num(fyCash, "cashAtBeginningOfPeriod")).toBe(
        num(statement(symbol, "cash-flow", 2025, "Q1"), "cashAtBeginningOfPeriod"),
      );
      expect(num(fyCash, "cashAtEndOfPeriod")).toBe(num(q4Balance, "cashAndCashEquivalents"));
    }
  });

  it("ties cash flow to the balance sheet and to net income", () => {
    for (const { symbol } of reporters.slice(0, 80)) {
      for (let q = 1; q < 4; q++) {
        const period = QUARTERS[q] as Period;
        const previous = QUARTERS[q - 1] as Period;
        const cf = statement(symbol, "cash-flow", 2025, period);
        const income = statement(symbol, "income", 2025, period);
        const balance = statement(symbol, "balance", 2025, period);
        const before = statement(symbol, "balance", 2025, previous);
        expect(num(cf, "netIncome")).toBe(num(income, "netIncome"));
        expect(num(cf, "freeCashFlow")).toBe(
          num(cf, "operatingCashFlow") + num(cf, "capitalExpenditure"),
        );
        expect(num(cf, "capitalExpenditure")).toBeLessThanOrEqual(0);
        expect(num(cf, "netChangeInCash")).toBe(
          num(cf, "netCashProvidedByOperatingActivities") +
            num(cf, "netCashProvidedByInvestingActivities") +
            num(cf, "netCashProvidedByFinancingActivities") +
            num(cf, "effectOfForexChangesOnCash"),
        );
        expect(num(cf, "cashAtEndOfPeriod")).toBe(num(balance, "cashAndCashEquivalents"));
        expect(num(cf, "cashAtBeginningOfPeriod")).toBe(num(before, "cashAndCashEquivalents"));
        // Net income (less dividends) flows into retained earnings.
        expect(num(balance, "retainedEarnings") - num(before, "retainedEarnings")).toBe(
          num(income, "netIncome") + num(cf, "netDividendsPaid"),
        );
        expect(num(income, "grossProfit")).toBe(
          num(income, "revenue") - num(income, "costOfRevenue"),
        );
        expect(num(income, "operatingIncome")).toBe(
          num(income, "grossProfit") - num(income, "operatingExpenses"),
        );
        expect(num(income, "ebitda")).toBe(
          num(income, "ebit") + num(income, "depreciationAndAmortization"),
        );
      }
    }
  });

  it("pays dividends in cash-flow statements for dividend payers only", () => {
    const payers = reporters.filter((t) => t.paysDividends);
    expect(payers.length).toBeGreaterThan(20);
    for (const { symbol, paysDividends } of reporters) {
      const cf = statement(symbol, "cash-flow", 2025, "FY");
      if (paysDividends && num(cf, "commonDividendsPaid") === 0) continue; // initiated later
      expect(num(cf, "commonDividendsPaid") < 0, symbol).toBe(paysDividends);
      expect(num(cf, "netDividendsPaid")).toBe(num(cf, "commonDividendsPaid"));
    }
  });

  it("files 20-65 days after the period end and never after asOf", () => {
    const lags: number[] = [];
    for (const period of [...QUARTERS, "FY"] as Period[]) {
      for (const year of [2025, 2026]) {
        const rows = parseRecords(
          renderEndpoint(market, "income-statement-bulk", { year, period }),
        );
        for (const row of rows) {
          expect(row.fiscalYear).toBe(String(year));
          expect(row.period).toBe(period);
          expect(row.filingDate! <= ASOF).toBe(true);
          expect(row.acceptedDate!.startsWith(`${row.filingDate} `)).toBe(true);
          lags.push(differenceInCalendarDays(parseISO(row.filingDate!), parseISO(row.date!)));
        }
      }
    }
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...lags)).toBeLessThanOrEqual(65);
  });

  it("shows more filings later, with the same figures (point in time)", () => {
    const later = createSandboxMarket({ tickers: 300, seed: 7, asOf: "2026-12-31" });
    const now = parseRecords(
      renderEndpoint(market, "income-statement-bulk", { year: 2026, period: "Q2" }),
    );
    const then = parseRecords(
      renderEndpoint(later, "income-statement-bulk", { year: 2026, period: "Q2" }),
    );
    expect(then.length).toBeGreaterThan(now.length);
    const bySymbol = new Map(then.map((row) => [row.symbol, row]));
    for (const row of now) expect(bySymbol.get(row.symbol)).toEqual(row);
  });

  it("uses company fiscal years, not all ending in December", () => {
    const months = new Set(stocks.map((t) => t.fiscalYearEndMonth));
    expect(months.size).toBeGreaterThanOrEqual(4);
    const june = reporters.find((t) => t.fiscalYearEndMonth === 6);
    expect(june).toBeDefined();
    // FMP semantics: fiscal 2026 Q1 of a June year-end ends in September 2025.
    const q1 = market.statement(june!.symbol, "income", 2026, "Q1");
    expect(String(q1?.date).slice(0, 7)).toMatch(/^2025-09/);
    const december = reporters.find((t) => t.fiscalYearEndMonth === 12)!;
    expect(String(market.statement(december.symbol, "income", 2025, "FY")?.date)).toMatch(
      /^2025-12-\d\d$/,
    );
  });

  it("has no statements for ETFs", () => {
    const etf = market.tickers.find((t) => t.type === "etf")!;
    expect(market.statement(etf.symbol, "income", 2025, "FY")).toBeUndefined();
  });
});
