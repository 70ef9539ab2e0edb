/**
 * market_state's pure parts: competition ranks within the sector and overall (ties share,
 * the next rank skips, unscored tickers keep their group's total), the rank consistency
 * rules the check applies, and a row read from a snapshot.
 */
import { describe, expect, it } from "vitest";
import {
  MARKET_STATE_SOURCE,
  marketStateRow,
  type RankInput,
  rankProblems,
  rankTickers,
  type SnapshotState,
} from "../../../assets/market_state.ts";
import { buildSnapshot } from "../../../assets/snapshot/build.ts";
import { verdictText } from "../../../assets/snapshot/verdict.ts";
import { DAY, fixture } from "./fixture.ts";

const day: RankInput[] = [
  { ticker: "A", sector: "Tech", fgos_score: 80 },
  { ticker: "B", sector: "Tech", fgos_score: 70 },
  { ticker: "C", sector: "Tech", fgos_score: 70 },
  { ticker: "D", sector: "Tech", fgos_score: 50 },
  { ticker: "E", sector: "Tech", fgos_score: null },
  { ticker: "F", sector: "Energy", fgos_score: 90 },
  { ticker: "G", sector: "Energy", fgos_score: 40 },
  { ticker: "H", sector: null, fgos_score: 60 },
];

describe("rankTickers", () => {
  const ranks = rankTickers(day);
  const of = (t: string) => ranks.get(t);

  it("ranks by FGOS within the sector, 1 = best, ties share and the next skips", () => {
    expect(["A", "B", "C", "D"].map((t) => of(t)?.sector_rank)).toEqual([1, 2, 2, 4]);
    expect(of("A")?.sector_rank_total).toBe(4);
    expect([of("F")?.sector_rank, of("G")?.sector_rank, of("G")?.sector_rank_total]).toEqual([
      1, 2, 2,
    ]);
  });

  it("ranks globally over every scored ticker, sector or not", () => {
    expect(["F", "A", "B", "C", "H", "D", "G"].map((t) => of(t)?.global_rank)).toEqual([
      1, 2, 3, 3, 5, 6, 7,
    ]);
    expect(of("H")).toMatchObject({
      sector_rank: null,
      sector_rank_total: null,
      global_rank_total: 7,
    });
  });

  it("gives an unscored ticker no rank but its group's total", () => {
    expect(of("E")).toEqual({
      ticker: "E",
      sector_rank: null,
      sector_rank_total: 4,
      global_rank: null,
      global_rank_total: 7,
    });
  });

  it("produces rows the consistency rules accept, and the rules catch a broken one", () => {
    const rows = day.map((r) => ({ ...r, ...ranks.get(r.ticker)! }));
    expect(rankProblems(rows, true)).toEqual([]);
    const swapped = rows.map((r) => (r.ticker === "A" ? { ...r, sector_rank: 3 } : r));
    expect(rankProblems(swapped, true).join()).toMatch(/Tech: A/);
    const tieBroken = rows.map((r) => (r.ticker === "C" ? { ...r, global_rank: 4 } : r));
    expect(rankProblems(tieBroken, true).join()).toMatch(/global: B/);
    const partial = rows.filter((r) => r.ticker !== "D");
    expect(rankProblems(partial, true).join()).toMatch(/Tech: total 4 for 3 scored rows/);
    expect(rankProblems(partial, false)).toEqual([]);
  });
});

describe("marketStateRow", () => {
  it("reads price, change, volume and the analytic state from the day's snapshot", () => {
    const { input, context } = fixture();
    const snapshot = buildSnapshot(input, context);
    const row = marketStateRow(snapshot as SnapshotState, {
      ytdReturn: 30,
      companyName: "Acme Corp",
      country: "US",
      updatedAt: "2026-11-27T23:00:00.000Z",
    });
    const metrics = (snapshot.profile_structural as { metrics: Record<string, number> }).metrics;
    expect(row).toMatchObject({
      ticker: "ACME",
      snapshot_date: DAY,
      price: metrics.price,
      change: metrics.change,
      change_percentage: metrics.changePercentage,
      market_cap: metrics.marketCap,
      volume: metrics.volume,
      last_price_date: DAY,
      ytd_return: 30,
      sector: "Technology",
      industry: "Software - Application",
      fgos_score: snapshot.fgos_score,
      fgos_confidence_label: snapshot.fgos_confidence_label,
      sector_rank: null,
      source: MARKET_STATE_SOURCE,
    });
    expect(["undervalued", "fair", "overvalued", "pending"]).toContain(row.valuation_status);
    expect(row.verdict_text).toBe(
      verdictText(snapshot.investment_verdict as Parameters<typeof verdictText>[0]),
    );
    expect(row.strategic_state).toEqual(snapshot.strategic_state);
  });

  it("verdict text is the label and its drivers", () => {
    expect(
      verdictText({
        verdict_label: "fragile",
        drivers: {
          positives: ["Defendable business quality"],
          negatives: ["Structural underperformance"],
          tensions: [],
        },
      }),
    ).toBe("Fragile: Defendable business quality; Structural underperformance");
  });
});
