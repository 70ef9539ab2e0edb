import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  benchmarkSample,
  benchmarksAsOf,
  buildSectorBenchmark,
  type SectorBenchmarkRow,
} from "../../engines/index.ts";
import { finite, shuffle } from "./helpers.ts";

describe("buildSectorBenchmark (spec §1.1)", () => {
  it("gives no benchmark under 3 values [orig-test]", () => {
    expect(buildSectorBenchmark([])).toBeNull();
    expect(buildSectorBenchmark([1, 2])).toBeNull();
    expect(buildSectorBenchmark([1, null, Number.NaN, 2])).toBeNull();
  });

  it("[10,20,30] is n=3, low, median 20 [orig-test]", () => {
    const b = buildSectorBenchmark([10, 20, 30])!;
    expect(b.sample_size).toBe(3);
    expect(b.confidence).toBe("low");
    expect(b.median).toBe(20);
  });

  it("[0,10,...,100] is medium with p10 10, p25 20, p50 50, p75 70, p90 90 [orig-test + computed]", () => {
    const b = buildSectorBenchmark([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])!;
    expect(b.confidence).toBe("medium");
    expect([b.p10, b.p25, b.p50, b.p75, b.p90]).toEqual([10, 20, 50, 70, 90]);
    // Medium and high benchmarks carry no low-confidence extras.
    expect(b.median).toBeNull();
    expect(b.trimmed_mean).toBeNull();
    expect(b.uncertainty_range).toBeNull();
  });

  it("[1,2,3,4,5] is low with p's 1,2,3,4,4 and trimmed mean 3 [computed]", () => {
    const b = buildSectorBenchmark([1, 2, 3, 4, 5])!;
    expect(b.confidence).toBe("low");
    expect([b.p10, b.p25, b.p50, b.p75, b.p90]).toEqual([1, 2, 3, 4, 4]);
    expect(b.trimmed_mean).toBe(3);
    expect(b.uncertainty_range).not.toBeNull();
  });

  it("is high from 20 values", () => {
    expect(buildSectorBenchmark(Array.from({ length: 20 }, (_, i) => i))!.confidence).toBe("high");
  });

  it("seeds the bootstrap from the sample: same values, same range", () => {
    const a = buildSectorBenchmark([5, 1, 4, 2, 3])!;
    const b = buildSectorBenchmark([1, 2, 3, 4, 5])!;
    expect(a.uncertainty_range).toEqual(b.uncertainty_range);
    const r = a.uncertainty_range!;
    expect(r.p5).toBeLessThanOrEqual(r.p95);
    expect(r.p5).toBeGreaterThanOrEqual(1);
    expect(r.p95).toBeLessThanOrEqual(5);
  });

  it("property: p-values ordered, within the sample, independent of input order", () => {
    fc.assert(
      fc.property(fc.array(finite(), { minLength: 3, maxLength: 60 }), fc.integer(), (xs, seed) => {
        const b = buildSectorBenchmark(xs)!;
        const ps = [b.p10, b.p25, b.p50, b.p75, b.p90];
        for (let i = 1; i < ps.length; i++) expect(ps[i]!).toBeGreaterThanOrEqual(ps[i - 1]!);
        expect(b.p10).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(b.p90).toBeLessThanOrEqual(Math.max(...xs));
        expect(buildSectorBenchmark(shuffle(xs, seed))).toEqual(b);
      }),
    );
  });
});

describe("benchmarkSample", () => {
  it("keeps only positive valuation multiples", () => {
    expect(benchmarkSample("pe_ratio", [-5, 0, 12, null, 30])).toEqual([12, 30]);
  });
  it("drops negative debt/equity (negative equity is scored separately)", () => {
    expect(benchmarkSample("debt_to_equity", [-2, 0, 0.5])).toEqual([0, 0.5]);
  });
  it("keeps negative values of other metrics", () => {
    expect(benchmarkSample("roic", [-0.1, 0.2, Number.NaN])).toEqual([-0.1, 0.2]);
  });
});

describe("benchmarksAsOf (spec §1.2)", () => {
  const row = (over: Partial<SectorBenchmarkRow>): SectorBenchmarkRow => ({
    sector: "Technology",
    snapshot_date: "2024-01-02",
    metric: "roic",
    p10: 0,
    p25: 0.05,
    p50: 0.1,
    p75: 0.15,
    p90: 0.2,
    sample_size: 50,
    confidence: "high",
    ...over,
  });

  it("uses the latest snapshot date on or before the as-of date", () => {
    const rows = [
      row({ snapshot_date: "2024-01-01", p50: 0.09 }),
      row({ snapshot_date: "2024-01-02", p50: 0.1 }),
      row({ snapshot_date: "2024-01-03", p50: 0.11 }),
    ];
    expect(benchmarksAsOf(rows, "Technology", "2024-01-02")!.roic!.p50).toBe(0.1);
  });

  it("drops samples under 3 and rows with missing or unordered p-values", () => {
    const rows = [
      row({ metric: "roic", sample_size: 2 }),
      row({ metric: "net_margin", p25: null }),
      row({ metric: "fcf_margin", p25: 0.5 }),
      row({ metric: "operating_margin" }),
    ];
    const map = benchmarksAsOf(rows, "Technology", "2024-01-02")!;
    expect(Object.keys(map)).toEqual(["operating_margin"]);
  });

  it("returns null for an unknown group or when nothing survives", () => {
    expect(benchmarksAsOf([row({})], "Energy", "2024-01-02")).toBeNull();
    expect(benchmarksAsOf([row({ sample_size: 1 })], "Technology", "2024-01-02")).toBeNull();
    expect(benchmarksAsOf([row({})], "Technology", "2023-12-31")).toBeNull();
  });
});
