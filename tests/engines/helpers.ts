// Shared builders for the engine tests.
import fc from "fast-check";
import type { BenchmarkConfidence, BenchmarkMap, SectorBenchmark } from "../../engines/index.ts";

// FC_RUNS=5000 npx vitest run tests/engines  runs every property harder (default 100).
if (process.env.FC_RUNS) fc.configureGlobal({ numRuns: Number(process.env.FC_RUNS) });

/** A benchmark from its five p-values, confidence and sample size. */
export function bm(
  ps: [number, number, number, number, number],
  confidence: BenchmarkConfidence = "high",
  sample_size = 50,
): SectorBenchmark {
  const [p10, p25, p50, p75, p90] = ps;
  return {
    p10,
    p25,
    p50,
    p75,
    p90,
    sample_size,
    confidence,
    median: null,
    trimmed_mean: null,
    uncertainty_range: null,
  };
}

/** The same benchmark for every FGOS metric. */
export function allFgosBenchmarks(b: SectorBenchmark): BenchmarkMap {
  return {
    revenue_cagr: b,
    earnings_cagr: b,
    fcf_cagr: b,
    roic: b,
    operating_margin: b,
    net_margin: b,
    fcf_margin: b,
    debt_to_equity: b,
    interest_coverage: b,
  };
}

/** A finite double in a range. */
export const finite = (min = -1e6, max = 1e6) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** A finite double, null, NaN or ±Infinity: every way a value can be missing or broken. */
export const maybeNumber = (min = -1e6, max = 1e6) =>
  fc.oneof(
    finite(min, max),
    fc.constant(null),
    fc.constant(Number.NaN),
    fc.constant(Number.POSITIVE_INFINITY),
  ) as fc.Arbitrary<number | null>;

/** A random benchmark with ordered p-values. */
export const arbBenchmark: fc.Arbitrary<SectorBenchmark> = fc
  .tuple(
    fc.array(finite(-100, 100), { minLength: 5, maxLength: 5 }),
    fc.constantFrom<BenchmarkConfidence>("low", "medium", "high"),
    fc.integer({ min: 3, max: 200 }),
  )
  .map(([ps, conf, n]) => {
    const s = [...ps].sort((a, b) => a - b) as [number, number, number, number, number];
    return bm(s, conf, n);
  });

/** True when a value is null or a finite number (never NaN or Infinity). */
export function nullOrFinite(x: unknown): boolean {
  return x === null || (typeof x === "number" && Number.isFinite(x));
}

/** Walk an object and assert no number in it is NaN or infinite. */
export function noBrokenNumbers(x: unknown): boolean {
  if (typeof x === "number") return Number.isFinite(x);
  if (Array.isArray(x)) return x.every(noBrokenNumbers);
  if (x && typeof x === "object") return Object.values(x).every(noBrokenNumbers);
  return true;
}

/** A deterministic permutation of `xs` driven by `seed` (Fisher–Yates on a small LCG). */
export function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Freeze a value and everything inside it, so that any write by an engine throws. */
export function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === "object" && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/** ISO date `days` days after 2000-01-01 (test data only). */
export function isoDay(days: number): string {
  return new Date(Date.UTC(2000, 0, 1 + days)).toISOString().slice(0, 10);
}
