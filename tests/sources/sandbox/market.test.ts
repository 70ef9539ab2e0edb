import { describe, expect, it } from "vitest";
import {
  createSandboxMarket,
  EOD_COLUMNS,
  INDUSTRIES,
  renderEndpoint,
  SECTORS,
} from "../../../sources/sandbox/index.ts";
import { parseCsv, parseRecords, pearson } from "./support.ts";

const ASOF = "2026-11-28"; // a Saturday
const market = createSandboxMarket({ tickers: 600, seed: 3, asOf: ASOF });
const EOD_HEADER = EOD_COLUMNS.map((c) => `"${c}"`).join(",");

describe("sandbox universe", () => {
  it("has SPY as an always-present ETF benchmark", () => {
    expect(market.benchmark).toBe("SPY");
    expect(market.ticker("SPY")).toMatchObject({ type: "etf", active: true, exchange: "AMEX" });
    for (const seed of [1, 2, 3]) {
      const tiny = createSandboxMarket({ tickers: 5, seed, asOf: ASOF });
      expect(tiny.tickers.map((t) => t.symbol)).toContain("SPY");
    }
  });

  it("mixes sectors, industries, exchanges, ETFs and inactive tickers", () => {
    const stocks = market.tickers.filter((t) => t.type === "stock");
    expect(new Set(stocks.map((t) => t.sector))).toEqual(new Set(SECTORS));
    expect(new Set(stocks.map((t) => t.industry)).size).toBeGreaterThan(100);
    expect(INDUSTRIES.length).toBeGreaterThanOrEqual(140);
    const sectorOf = new Map<string, string>();
    for (const industry of INDUSTRIES) {
      expect(sectorOf.has(industry.name), industry.name).toBe(false);
      sectorOf.set(industry.name, industry.sector);
    }
    for (const t of stocks) expect(sectorOf.get(t.industry)).toBe(t.sector);
    const exchanges = new Set(market.tickers.map((t) => t.exchange));
    for (const code of ["NASDAQ", "NYSE", "AMEX"]) expect(exchanges).toContain(code);
    expect(
      [...exchanges].filter((e) => !["NASDAQ", "NYSE", "AMEX"].includes(e)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(market.tickers.filter((t) => t.type === "etf").length).toBeGreaterThan(10);
    const inactive = market.tickers.filter((t) => !t.active);
    expect(inactive.length).toBeGreaterThan(5);
    for (const t of inactive) expect(t.delistedDate! < ASOF).toBe(true);
    expect(new Set(market.tickers.map((t) => t.symbol)).size).toBe(market.tickers.length);
  });

  it("keeps a smaller universe a prefix of a larger one with the same seed", () => {
    const small = createSandboxMarket({ tickers: 100, seed: 3, asOf: ASOF });
    const symbols = new Set(market.tickers.map((t) => t.symbol));
    for (const t of small.tickers) expect(symbols.has(t.symbol), t.symbol).toBe(true);
  });
});

describe("sandbox prices", () => {
  it("is empty on weekends, holidays, after asOf and before the history", () => {
    for (const date of ["2026-11-28", "2026-11-29", "2026-11-26", "2026-12-01", "2019-06-03"]) {
      expect(renderEndpoint(market, "eod-bulk", { date }), date).toBe(EOD_HEADER);
    }
  });

  it("serves every listed ticker on a trading day up to asOf, with consistent bars", () => {
    const rows = parseRecords(renderEndpoint(market, "eod-bulk", { date: "2026-11-27" }));
    const active = market.tickers.filter((t) => t.active);
    expect(rows.map((r) => r.symbol).sort()).toEqual(active.map((t) => t.symbol).sort());
    for (const row of rows) {
      const [open, low, high, close, volume] = [
        row.open,
        row.low,
        row.high,
        row.close,
        row.volume,
      ].map(Number);
      expect(row.date).toBe("2026-11-27");
      expect(low).toBeGreaterThan(0);
      expect(low).toBeLessThanOrEqual(Math.min(open!, close!));
      expect(high).toBeGreaterThanOrEqual(Math.max(open!, close!));
      expect(row.adjClose).toBe(row.close);
      expect(Number.isInteger(volume)).toBe(true);
    }
    expect(market.historyStart <= "2020-12-01").toBe(true);
    expect(
      parseCsv(renderEndpoint(market, "eod-bulk", { date: market.historyStart })).length,
    ).toBeGreaterThan(100);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const one = createSandboxMarket({ tickers: 150, seed: 3, asOf: ASOF });
    const again = createSandboxMarket({ tickers: 150, seed: 3, asOf: ASOF });
    const other = createSandboxMarket({ tickers: 150, seed: 4, asOf: ASOF });
    for (const [endpoint, params] of [
      ["eod-bulk", { date: "2024-03-15" }],
      ["income-statement-bulk", { year: 2025, period: "Q2" }],
      ["profile-bulk", { part: 0 }],
      ["ratios-ttm-bulk", {}],
    ] as const) {
      const body = renderEndpoint(one, endpoint, params);
      expect(body.split("\n").length).toBeGreaterThan(50);
      expect(renderEndpoint(again, endpoint, params), endpoint).toBe(body);
      expect(renderEndpoint(other, endpoint, params), endpoint).not.toBe(body);
    }
  });

  it("keeps a day's prices the same whatever the market's asOf", () => {
    const earlier = createSandboxMarket({ tickers: 600, seed: 3, asOf: "2025-01-31" });
    const body = renderEndpoint(earlier, "eod-bulk", { date: "2024-06-14" });
    expect(renderEndpoint(market, "eod-bulk", { date: "2024-06-14" })).toBe(body);
  });

  it("moves stocks of a sector together more than stocks of different sectors", () => {
    const days = market.tradingDays("2025-11-01", "2026-11-27");
    const stocks = market.tickers.filter(
      (t) => t.type === "stock" && t.active && t.ipoDate < "2025-01-01",
    );
    const returns = new Map<string, number[]>();
    for (const t of stocks) {
      const { closes } = market.closes(t.symbol, days[0]!, days[days.length - 1]!);
      if (closes.length !== days.length) continue;
      returns.set(
        t.symbol,
        closes.slice(1).map((c, i) => Math.log(c / closes[i]!)),
      );
    }
    const sample = stocks.filter((t) => returns.has(t.symbol)).slice(0, 240);
    let within = 0;
    let withinCount = 0;
    let across = 0;
    let acrossCount = 0;
    for (let i = 0; i < sample.length; i++) {
      for (let j = i + 1; j < sample.length; j++) {
        const a = sample[i]!;
        const b = sample[j]!;
        const r = pearson(returns.get(a.symbol)!, returns.get(b.symbol)!);
        if (a.sector === b.sector) {
          within += r;
          withinCount++;
        } else {
          across += r;
          acrossCount++;
        }
      }
    }
    console.info(
      `return correlation: within sectors ${(within / withinCount).toFixed(3)}, across ${(across / acrossCount).toFixed(3)}`,
    );
    expect(withinCount).toBeGreaterThan(200);
    expect(within / withinCount).toBeGreaterThan(across / acrossCount + 0.05);
    expect(across / acrossCount).toBeGreaterThan(0.05); // the market factor
  });
});
