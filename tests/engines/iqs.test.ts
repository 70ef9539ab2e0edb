import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calculateIqs,
  type FinancialRow,
  iqsPosition,
  leverageScore,
} from "../../engines/index.ts";
import { shuffle } from "./helpers.ts";

type PeerRow = FinancialRow & { ticker: string };
const fy = (ticker: string, end: string, over: Partial<FinancialRow>): PeerRow => ({
  ticker,
  period_type: "FY",
  period_end_date: end,
  ...over,
});

// Spec §7.3 peers. Peer values are spread so each list has its stated length.
function peers2023(): PeerRow[] {
  const roic = [0.05, 0.1, 0.12, 0.2];
  const margin = [0.1, 0.15, 0.25, 0.3];
  const growth = [0.02, 0.05, 0.1, null];
  const de = [0.2, 0.4, 0.8, 1.5];
  const fcf = [0.05, 0.12, null, null];
  return roic.map((r, i) =>
    fy(`P${i}`, "2023-12-31", {
      roic: r,
      operating_margin: margin[i]!,
      revenue_cagr: growth[i]!,
      debt_to_equity: de[i]!,
      fcf_margin: fcf[i]!,
    }),
  );
}
const own2023 = fy("ME", "2023-12-31", {
  roic: 0.15,
  operating_margin: 0.2,
  revenue_cagr: 0.08,
  debt_to_equity: 0.5,
  fcf_margin: 0.1,
});

describe("calculateIqs (spec §7.3 vector)", () => {
  it("FY2023 composite 60.83 → 61, follower, confidence 20 [computed by hand]", () => {
    const r = calculateIqs({
      ticker: "ME",
      industry: "Software",
      rows: [own2023],
      peer_rows: peers2023(),
    });
    expect(r).toEqual({
      mode: "fy_industry_structural",
      fiscal_years: [2023],
      fiscal_positions: [{ fiscal_year: 2023, position: "follower", percentile: 61 }],
      current_fy: { fiscal_year: 2023, position: "follower" },
      confidence: 20,
    });
  });

  it("position boundaries: 75 leader, 74.9 follower, 35 follower, 34.9 laggard", () => {
    expect([75, 74.9, 35, 34.9].map(iqsPosition)).toEqual([
      "leader",
      "follower",
      "follower",
      "laggard",
    ]);
  });

  it("null without an industry or without a scorable year", () => {
    expect(
      calculateIqs({ ticker: "ME", industry: null, rows: [own2023], peer_rows: peers2023() }),
    ).toBeNull();
    expect(
      calculateIqs({
        ticker: "ME",
        industry: "Software",
        rows: [own2023],
        peer_rows: peers2023().slice(0, 2),
      }),
    ).toBeNull();
    expect(
      calculateIqs({
        ticker: "ME",
        industry: "Software",
        rows: [{ ...own2023, roic: null }],
        peer_rows: peers2023(),
      }),
    ).toBeNull();
  });

  it("keeps the last 5 FY, oldest first, and excludes the company from its peers", () => {
    const years = [2017, 2018, 2019, 2020, 2021, 2022, 2023];
    const rows = years.map((y) => ({ ...own2023, period_end_date: `${y}-12-31` }));
    const peers = years.flatMap((y) =>
      peers2023().map((p) => ({ ...p, period_end_date: `${y}-12-31` })),
    );
    peers.push({ ...own2023, roic: 99 });
    const r = calculateIqs({ ticker: "ME", industry: "Software", rows, peer_rows: peers })!;
    expect(r.fiscal_years).toEqual([2019, 2020, 2021, 2022, 2023]);
    expect(r.confidence).toBe(100);
    expect(r.fiscal_positions.every((p) => p.percentile === 61)).toBe(true);
  });

  it("decision: negative equity is the worst leverage", () => {
    expect(leverageScore(-1, [0.2, 0.4, 0.8])).toBe(0);
    // A peer with negative equity ranks above every positive D/E.
    expect(leverageScore(0.5, [0.2, 0.4, -3])).toBeCloseTo(100 - (2 / 3) * 100, 9);
    expect(leverageScore(0.1, [0.2, 0.4, 0.8, 1.5])).toBe(100);
  });

  it("decision: negative total equity with D/E 0 (no debt) is the worst leverage too", () => {
    const run = (total_equity: number) =>
      calculateIqs({
        ticker: "ME",
        industry: "Software",
        rows: [{ ...own2023, debt_to_equity: 0, total_equity }],
        peer_rows: peers2023(),
      })!.fiscal_positions[0]!.percentile;
    // Composite without the leverage term is 53.33; leverage 0 adds 0, leverage 100 adds 15.
    expect(run(-10)).toBe(53);
    expect(run(10)).toBe(68);
    // A peer with negative equity and D/E 0 ranks as the most leveraged, not the least.
    const peers = peers2023().map((p, i) =>
      i === 0 ? { ...p, debt_to_equity: 0, total_equity: -5 } : p,
    );
    const withPeer = calculateIqs({
      ticker: "ME",
      industry: "Software",
      rows: [{ ...own2023, debt_to_equity: 0.1 }],
      peer_rows: peers,
    })!;
    // Own D/E .1 is ≤ none of the positive peers (.4, .8, 1.5) nor the negative-equity one.
    expect(withPeer.fiscal_positions[0]!.percentile).toBe(68);
  });

  it("a peer with two rows in one calendar year counts once", () => {
    const peers = [
      ...peers2023(),
      { ...peers2023()[3]!, period_end_date: "2023-01-31", roic: 0.01 },
    ];
    const r = calculateIqs({
      ticker: "ME",
      industry: "Software",
      rows: [own2023],
      peer_rows: peers,
    })!;
    expect(r.fiscal_positions[0]!.percentile).toBe(61);
  });

  it("property: independent of peer order; percentile within 0..100", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const peers = peers2023();
        const a = calculateIqs({ ticker: "ME", industry: "X", rows: [own2023], peer_rows: peers });
        const b = calculateIqs({
          ticker: "ME",
          industry: "X",
          rows: [own2023],
          peer_rows: shuffle(peers, seed),
        });
        expect(b).toEqual(a);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 10 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (vals, own) => {
          const peers = vals.map((v, i) =>
            fy(`P${i}`, "2023-06-30", { roic: v, operating_margin: v, debt_to_equity: v }),
          );
          const r = calculateIqs({
            ticker: "ME",
            industry: "X",
            rows: [
              fy("ME", "2023-12-31", { roic: own, operating_margin: own, debt_to_equity: own }),
            ],
            peer_rows: peers,
          })!;
          const p = r.fiscal_positions[0]!.percentile;
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(100);
        },
      ),
    );
  });
});
