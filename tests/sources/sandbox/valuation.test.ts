import { describe, expect, it } from "vitest";
import {
  createSandboxMarket,
  type Period,
  renderEndpoint,
} from "../../../sources/sandbox/index.ts";
import { parseRecords } from "./support.ts";

const ASOF = "2026-05-29";
const market = createSandboxMarket({ tickers: 300, seed: 21, asOf: ASOF });
const bySymbol = <T extends { symbol?: string }>(rows: T[]) =>
  new Map(rows.map((r) => [r.symbol, r]));
const ratios = bySymbol(parseRecords(renderEndpoint(market, "ratios-ttm-bulk")));
const metrics = bySymbol(parseRecords(renderEndpoint(market, "key-metrics-ttm-bulk")));
const scores = bySymbol(parseRecords(renderEndpoint(market, "scores-bulk")));
const profiles = bySymbol(parseRecords(renderEndpoint(market, "profile-bulk", { part: 0 })));

/** The last four quarters filed by asOf, newest first, from the statement accessors. */
function lastFourQuarters(symbol: string) {
  const found: Record<string, string | number | null>[] = [];
  for (let year = 2027; year >= 2023 && found.length < 4; year--) {
    for (const period of ["Q4", "Q3", "Q2", "Q1"] as Period[]) {
      const s = market.statement(symbol, "income", year, period);
      if (s && found.length < 4) found.push(s);
    }
  }
  return found;
}

describe("sandbox TTM ratios, key metrics and scores", () => {
  it("covers the stocks with four filed quarters, and no ETF", () => {
    expect(ratios.size).toBeGreaterThan(200);
    expect(metrics.size).toBe(ratios.size);
    expect(scores.size).toBe(ratios.size);
    for (const symbol of ratios.keys()) expect(market.ticker(symbol!)?.type).toBe("stock");
  });

  it("agrees with the statements and the profile", () => {
    let checked = 0;
    for (const [symbol, ratio] of [...ratios].slice(0, 60)) {
      const quarters = lastFourQuarters(symbol!);
      if (quarters.length < 4) continue;
      const revenue = quarters.reduce((sum, q) => sum + Number(q.revenue), 0);
      const netIncome = quarters.reduce((sum, q) => sum + Number(q.netIncome), 0);
      const marketCap = Number(metrics.get(symbol)?.marketCap);
      expect(marketCap).toBe(Number(profiles.get(symbol)?.marketCap));
      expect(Number(ratio.priceToSalesRatioTTM)).toBeCloseTo(marketCap / revenue, 6);
      expect(Number(ratio.netProfitMarginTTM)).toBeCloseTo(netIncome / revenue, 9);
      expect(Number(ratio.priceToEarningsRatioTTM)).toBeCloseTo(marketCap / netIncome, 4);
      expect(Number(scores.get(symbol)?.revenue)).toBe(revenue);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("scores Altman Z and Piotroski in range", () => {
    for (const row of scores.values()) {
      const piotroski = Number(row.piotroskiScore);
      expect(Number.isInteger(piotroski) && piotroski >= 0 && piotroski <= 9).toBe(true);
      expect(Number.isFinite(Number(row.altmanZScore))).toBe(true);
    }
    const spread = new Set([...scores.values()].map((r) => r.piotroskiScore));
    expect(spread.size).toBeGreaterThanOrEqual(5);
  });

  it("shows a dividend yield for dividend payers only", () => {
    for (const [symbol, row] of ratios) {
      const ticker = market.ticker(symbol!)!;
      if (Number(row.dividendYieldTTM) > 0) expect(ticker.paysDividends, symbol).toBe(true);
    }
    const yields = [...ratios.values()]
      .map((r) => Number(r.dividendYieldTTM))
      .filter((y) => y > 0)
      .sort((a, b) => a - b);
    expect(yields.length).toBeGreaterThan(30);
    const median = yields[Math.floor(yields.length / 2)] as number;
    expect(median).toBeGreaterThan(0.005);
    expect(median).toBeLessThan(0.08);
  });
});

describe("sandbox peers", () => {
  const peers = parseRecords(renderEndpoint(market, "peers-bulk"));

  it("lists peers of active stocks from their industry, topped up from their sector", () => {
    expect(peers.length).toBeGreaterThan(200);
    const activeStocks = market.tickers.filter((t) => t.active && t.type === "stock");
    let sameIndustry = 0;
    let total = 0;
    for (const row of peers) {
      const self = market.ticker(row.symbol!)!;
      expect(self.active && self.type === "stock").toBe(true);
      const list = row.peers!.split(",");
      expect(list).not.toContain(row.symbol);
      expect(new Set(list).size).toBe(list.length);
      const industryMates = activeStocks.filter((t) => t.industry === self.industry).length - 1;
      for (const peer of list) {
        const other = market.ticker(peer)!;
        expect(other.sector).toBe(self.sector);
        expect(other.active).toBe(true);
        // With three or more industry mates, every peer comes from the industry.
        if (industryMates >= 3) expect(other.industry, row.symbol).toBe(self.industry);
        if (other.industry === self.industry) sameIndustry++;
        total++;
      }
      if (industryMates >= 3) expect(list.length).toBe(Math.min(8, industryMates));
    }
    expect(sameIndustry / total).toBeGreaterThan(0.5);
  });
});
