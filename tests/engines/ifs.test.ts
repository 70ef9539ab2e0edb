import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calculateIfs, ifsMemory, type RelativeVsSector } from "../../engines/index.ts";
import { maybeNumber, shuffle } from "./helpers.ts";

type Tuple = [
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
];
const rel = ([m1, m3, m6, y1, y2, y3, y5]: Tuple): RelativeVsSector => ({
  relative_vs_sector_1m: m1,
  relative_vs_sector_3m: m3,
  relative_vs_sector_6m: m6,
  relative_vs_sector_1y: y1,
  relative_vs_sector_2y: y2,
  relative_vs_sector_3y: y3,
  relative_vs_sector_5y: y5,
});
const H = ["6M", "1Y", "2Y", "3Y"];

describe("calculateIfs (spec §6.3 vectors)", () => {
  it("5,−5,–,–,–,10,−10 → null (all votes 0) [orig-test]", () => {
    expect(calculateIfs(rel([5, -5, null, null, null, 10, -10]))).toBeNull();
  });
  it("5,5,5,−5,–,–,– → null (one non-zero vote) [orig-test]", () => {
    expect(calculateIfs(rel([5, 5, 5, -5, null, null, null]))).toBeNull();
  });
  it("10,10,−10,−10,−10,5,−5 → follower, pressure 1, 83 High", () => {
    expect(calculateIfs(rel([10, 10, -10, -10, -10, 5, -5]))).toMatchObject({
      position: "follower",
      pressure: 1,
      confidence: 83,
      confidence_label: "High",
    });
  });
  it("−5 ×5, 5, 5 → laggard, pressure 2, 83", () => {
    expect(calculateIfs(rel([-5, -5, -5, -5, -5, 5, 5]))).toMatchObject({
      position: "laggard",
      pressure: 2,
      confidence: 83,
    });
  });
  it("all 10 → leader, pressure 3, 95 High", () => {
    const r = calculateIfs(rel([10, 10, 10, 10, 10, 10, 10]))!;
    expect(r).toMatchObject({
      position: "leader",
      pressure: 3,
      confidence: 95,
      confidence_label: "High",
    });
    expect(r.interpretation).toBe("Leader with 3/3 blocks supporting (High confidence)");
  });
  it("5 ×5, –, – → leader, pressure 2, 60 Medium", () => {
    expect(calculateIfs(rel([5, 5, 5, 5, 5, null, null]))).toMatchObject({
      position: "leader",
      pressure: 2,
      confidence: 60,
      confidence_label: "Medium",
    });
  });
  it("−20,−20,3,2,–,4,−9 with [6M,1Y,2Y,3Y] → leader, pressure 2, 65", () => {
    expect(calculateIfs(rel([-20, -20, 3, 2, null, 4, -9]), H)).toMatchObject({
      position: "leader",
      pressure: 2,
      confidence: 65,
    });
  });
  it("–,–,3,−2,–,4,– with the same horizons → leader, pressure 1, 48 Low", () => {
    expect(calculateIfs(rel([null, null, 3, -2, null, 4, null]), H)).toMatchObject({
      position: "leader",
      pressure: 1,
      confidence: 48,
      confidence_label: "Low",
    });
  });
  it("–,–,0,0,–,0,– with horizons → follower, pressure 0, 48; legacy mode → null", () => {
    const input = rel([null, null, 0, 0, null, 0, null]);
    expect(calculateIfs(input, H)).toMatchObject({
      position: "follower",
      pressure: 0,
      confidence: 48,
    });
    expect(calculateIfs(input)).toBeNull();
  });
  it("an empty horizon list is v1.2 mode with every block empty → null", () => {
    expect(calculateIfs(rel([10, 10, 10, 10, 10, 10, 10]), [])).toBeNull();
  });
  it("property: null or a valid result; confidence within 0..100; never throws", () => {
    fc.assert(
      fc.property(
        fc.array(maybeNumber(-50, 50), { minLength: 7, maxLength: 7 }),
        fc.option(fc.subarray(["1M", "3M", "6M", "1Y", "2Y", "3Y", "5Y"]), { nil: undefined }),
        (xs, horizons) => {
          const r = calculateIfs(rel(xs as Tuple), horizons);
          if (r === null) return;
          expect(r.confidence).toBeGreaterThanOrEqual(0);
          expect(r.confidence).toBeLessThanOrEqual(100);
          expect(r.pressure).toBeGreaterThanOrEqual(0);
          expect(r.pressure).toBeLessThanOrEqual(3);
        },
      ),
    );
  });
});

describe("ifsMemory (spec §6.4, decision: one observation per year)", () => {
  it("newest→oldest [L,L,F,G,L,(F)], one per year → L3/F1/G1, streak leader 2 [computed]", () => {
    const positions = ["leader", "leader", "follower", "laggard", "leader", "follower"] as const;
    const obs = positions.map((position, i) => ({ snapshot_date: `${2024 - i}-06-30`, position }));
    expect(ifsMemory(obs)).toEqual({
      window_years: 5,
      observed_years: 5,
      distribution: { leader: 3, follower: 1, laggard: 1 },
      timeline: ["leader", "laggard", "follower", "leader", "leader"],
      current_streak: { position: "leader", years: 2 },
    });
  });

  it("decision changes the spec vector when snapshots share a year: one per year, not 5 snapshots", () => {
    // Spec: the 5 newest snapshots [L,L,F,G,L] give observed 5 whatever their dates. Here the
    // same six snapshots taken within one year are one observation: the newest, a leader.
    const positions = ["leader", "leader", "follower", "laggard", "leader", "follower"] as const;
    const obs = positions.map((position, i) => ({
      snapshot_date: `2024-0${9 - i}-01`,
      position,
    }));
    expect(ifsMemory(obs)).toEqual({
      window_years: 5,
      observed_years: 1,
      distribution: { leader: 1, follower: 0, laggard: 0 },
      timeline: ["leader"],
      current_streak: { position: "leader", years: 1 },
    });
  });

  it("keeps the newest snapshot of each year, whatever the input order", () => {
    const obs = [
      { snapshot_date: "2024-01-02", position: "laggard" as const },
      { snapshot_date: "2024-06-30", position: "leader" as const },
      { snapshot_date: "2023-06-30", position: "follower" as const },
    ];
    const m = ifsMemory(shuffle(obs, 7))!;
    expect(m.observed_years).toBe(2);
    expect(m.timeline).toEqual(["follower", "leader"]);
    expect(ifsMemory([])).toBeNull();
  });
});
