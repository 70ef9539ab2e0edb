import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bucketPercentile,
  interpolatedPercentile,
  metricScore,
  rankPercentile,
} from "../../engines/index.ts";
import { arbBenchmark, bm, finite, maybeNumber, shuffle } from "./helpers.ts";

const P = [0.01, 0.02, 0.03, 0.04, 0.05] as [number, number, number, number, number];

describe("P1 bucket percentile (spec §2)", () => {
  it("v=0.10, low, n=5 → raw 90, weight .25, effective 60 [orig-test]", () => {
    const s = metricScore(0.1, bm(P, "low", 5))!;
    expect(s.raw).toBe(90);
    expect(s.weight).toBe(0.25);
    expect(s.effective).toBe(60);
    expect(s.is_low_conf).toBe(true);
  });

  it("v=0.03, medium → 47.5 [computed]", () => {
    expect(metricScore(0.03, bm(P, "medium", 15))!.effective).toBe(47.5);
  });

  it("v=0.01, low, n=30 → weight 1 → 10 [computed]", () => {
    const s = metricScore(0.01, bm(P, "low", 30))!;
    expect(s.weight).toBe(1);
    expect(s.effective).toBe(10);
  });

  it("buckets are inclusive at each p and never reach 100", () => {
    const b = bm(P);
    expect([0.01, 0.02, 0.03, 0.04, 0.05, 0.06].map((v) => bucketPercentile(v, b))).toEqual([
      10, 25, 50, 75, 90, 90,
    ]);
  });

  it("lower-is-better mirrors the buckets", () => {
    const b = bm(P);
    expect(
      [0.01, 0.02, 0.03, 0.04, 0.05, 0.06].map((v) => bucketPercentile(v, b, "lower_is_better")),
    ).toEqual([90, 75, 50, 25, 10, 10]);
  });

  it("is null without a value or a benchmark", () => {
    expect(metricScore(null, bm(P))).toBeNull();
    expect(metricScore(Number.NaN, bm(P))).toBeNull();
    expect(metricScore(0.1, null)).toBeNull();
  });

  it("property: monotonic in the value, effective within 0..100", () => {
    fc.assert(
      fc.property(arbBenchmark, finite(-200, 200), finite(-200, 200), (b, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        expect(bucketPercentile(lo, b)!).toBeLessThanOrEqual(bucketPercentile(hi, b)!);
        expect(bucketPercentile(lo, b, "lower_is_better")!).toBeGreaterThanOrEqual(
          bucketPercentile(hi, b, "lower_is_better")!,
        );
        const e = metricScore(x, b)!.effective;
        expect(e).toBeGreaterThanOrEqual(0);
        expect(e).toBeLessThanOrEqual(100);
      }),
    );
  });
});

describe("P2 interpolated percentile (spec §2, §4)", () => {
  const b = bm([10, 15, 20, 25, 30]);
  it("interpolates inside, extrapolates outside, clamps to 0..100", () => {
    expect(interpolatedPercentile(18, b)).toBe(40);
    expect(interpolatedPercentile(12, b)).toBe(16);
    expect(interpolatedPercentile(22, b)).toBe(60);
    expect(interpolatedPercentile(28, b)).toBeCloseTo(84, 9);
    expect(interpolatedPercentile(5, b)).toBe(0);
    expect(interpolatedPercentile(35, b)).toBe(100);
  });

  it("takes the lower p on a flat segment", () => {
    const flat = bm([10, 10, 20, 30, 30]);
    expect(interpolatedPercentile(5, flat)).toBe(10);
    expect(interpolatedPercentile(40, flat)).toBe(75);
  });

  it("property: monotonic in the value, within 0..100, null only for a missing value", () => {
    fc.assert(
      fc.property(arbBenchmark, finite(-300, 300), finite(-300, 300), (bench, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        const a = interpolatedPercentile(lo, bench)!;
        const c = interpolatedPercentile(hi, bench)!;
        expect(a).toBeLessThanOrEqual(c + 1e-9);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(100);
      }),
    );
    fc.assert(
      fc.property(arbBenchmark, maybeNumber(), (bench, v) => {
        const p = interpolatedPercentile(v, bench);
        if (typeof v === "number" && Number.isFinite(v)) expect(Number.isFinite(p)).toBe(true);
        else expect(p).toBeNull();
      }),
    );
  });
});

describe("P3 rank percentile (spec §2, §7)", () => {
  it("counts ties as ≤", () => {
    expect(rankPercentile(0.15, [0.05, 0.1, 0.12, 0.2])).toBe(75);
    expect(rankPercentile(0.1, [0.1, 0.1])).toBe(100);
  });
  it("is null without a value or peers", () => {
    expect(rankPercentile(null, [1, 2, 3])).toBeNull();
    expect(rankPercentile(1, [null, Number.NaN])).toBeNull();
  });
  it("property: monotonic, within 0..100, independent of peer order", () => {
    fc.assert(
      fc.property(
        fc.array(finite(), { minLength: 1, maxLength: 40 }),
        finite(),
        finite(),
        fc.integer(),
        (peers, x, y, seed) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const a = rankPercentile(lo, peers)!;
          expect(a).toBeLessThanOrEqual(rankPercentile(hi, peers)!);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThanOrEqual(100);
          expect(rankPercentile(x, shuffle(peers, seed))).toBe(rankPercentile(x, peers));
        },
      ),
    );
  });
});
