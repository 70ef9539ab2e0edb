import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calculateRelativeReturn, consistencyScore } from "../../engines/index.ts";
import { maybeNumber, noBrokenNumbers } from "./helpers.ts";

const w = (a: number, b: number, da?: number, db?: number) => ({
  asset_return: a,
  benchmark_return: b,
  asset_max_drawdown: da ?? null,
  benchmark_max_drawdown: db ?? null,
});

describe("calculateRelativeReturn (spec §8.1 vectors)", () => {
  it("alphas 7,15,30 with drawdowns → 84.5 outperformer, 70", () => {
    const r = calculateRelativeReturn({
      "1Y": w(15, 8, 25, 22),
      "3Y": w(40, 25, 35, 30),
      "5Y": w(90, 60, 45, 40),
    });
    expect(r.score).toBeCloseTo(84.5, 9);
    expect(r.band).toBe("outperformer");
    expect(r.confidence).toBeCloseTo(70, 9);
    expect(r.components.consistency_score).toBe(100);
    expect(r.components.drawdown_penalty).toBe(5);
    expect(r.components.window_alpha["5Y"]).toEqual({
      asset_return: 90,
      benchmark_return: 60,
      alpha: 30,
      score: 100,
    });
    expect(r.windows_used).toEqual(["1Y", "3Y", "5Y"]);
  });

  it("(−5,2) (5,20) (20,50) → 10.5 underperformer, 70", () => {
    const r = calculateRelativeReturn({ "1Y": w(-5, 2), "3Y": w(5, 20), "5Y": w(20, 50) });
    expect(r.score).toBeCloseTo(10.5, 9);
    expect(r.band).toBe("underperformer");
    expect(r.confidence).toBeCloseTo(70, 9);
  });

  it("(10,8) (20,22) (45,45) → 50 neutral, 58", () => {
    const r = calculateRelativeReturn({ "1Y": w(10, 8), "3Y": w(20, 22), "5Y": w(45, 45) });
    expect(r.score).toBeCloseTo(50, 9);
    expect(r.band).toBe("neutral");
    expect(r.confidence).toBeCloseTo(58, 9);
  });

  it("(15,10,40,20) (35,25,50,30) – → 56.25 neutral, 56.67 (drawdown penalty 20)", () => {
    const r = calculateRelativeReturn({ "1Y": w(15, 10, 40, 20), "3Y": w(35, 25, 50, 30) });
    expect(r.score).toBeCloseTo(56.25, 9);
    expect(r.band).toBe("neutral");
    expect(r.confidence).toBeCloseTo(56.6667, 4);
    expect(r.components.drawdown_penalty).toBe(20);
  });

  it("(12,10) only → 53.5 neutral, 39.33, consistency 50", () => {
    const r = calculateRelativeReturn({ "1Y": w(12, 10) });
    expect(r.score).toBeCloseTo(53.5, 9);
    expect(r.confidence).toBeCloseTo(39.3333, 4);
    expect(r.components.consistency_score).toBe(50);
  });

  it("no usable window → all null", () => {
    const r = calculateRelativeReturn({ "1Y": { asset_return: 5, benchmark_return: null } });
    expect(r).toMatchObject({ score: null, band: null, confidence: null, windows_used: [] });
    expect(calculateRelativeReturn(null).score).toBeNull();
  });

  it("consistency uses the mean of all alphas; ±0.01 counts for neither", () => {
    expect(consistencyScore([0, 2, 5])).toBeCloseTo(80.8333, 4);
    expect(consistencyScore([0.005, -0.005])).toBe(50);
  });

  it("property: score within 0..100 or null, never NaN", () => {
    const win = fc.option(
      fc.record({
        asset_return: maybeNumber(-100, 500),
        benchmark_return: maybeNumber(-100, 500),
        asset_max_drawdown: maybeNumber(0, 100),
        benchmark_max_drawdown: maybeNumber(0, 100),
      }),
      { nil: null },
    );
    fc.assert(
      fc.property(win, win, win, (a, b, c) => {
        const r = calculateRelativeReturn({ "1Y": a, "3Y": b, "5Y": c });
        expect(noBrokenNumbers(r)).toBe(true);
        if (r.score !== null) {
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(100);
        }
      }),
    );
  });
});
