import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BenchmarkMap,
  buildValuationState,
  legacyValuation,
  legacyValuationStatus,
  valuationSnapshot,
} from "../../engines/index.ts";
import { bm, maybeNumber, noBrokenNumbers } from "./helpers.ts";

const b = bm([10, 15, 20, 25, 30]);
const BM: BenchmarkMap = { pe_ratio: b, ev_ebitda: b, price_to_fcf: b };
const m = (pe: number | null, ev: number | null, pfcf: number | null) => ({
  pe_ratio: pe,
  ev_ebitda: ev,
  price_to_fcf: pfcf,
});
const DEVELOPING_H = ["6M", "1Y", "2Y", "3Y"];

describe("buildValuationState: spec §4.4 vectors", () => {
  it("none / (−5, 0, null) → pending, pending, 0 valid, 0 % [orig-test]", () => {
    for (const raw of [null, m(-5, 0, null)]) {
      const s = buildValuationState(raw, BM);
      expect(s.stage).toBe("pending");
      expect(s.valuation_status).toBe("pending");
      expect(s.confidence).toEqual({ label: "Low", percent: 0, valid_metrics_count: 0 });
    }
  });

  it("(18,–,–) → pending, 1 valid, 33/Low", () => {
    const s = buildValuationState(m(18, null, null), BM);
    expect(s.stage).toBe("pending");
    expect(s.valuation_status).toBe("pending");
    expect(s.confidence).toEqual({ label: "Low", percent: 33, valid_metrics_count: 1 });
  });

  it("(18,18,–) → partial, cheap_sector (40,40), 67/Medium", () => {
    const s = buildValuationState(m(18, 18, null), BM);
    expect(s.stage).toBe("partial");
    expect(s.valuation_status).toBe("cheap_sector");
    expect(s.percentiles).toEqual({ pe_ratio: 40, ev_ebitda: 40 });
    expect(s.confidence).toMatchObject({ label: "Medium", percent: 67 });
    expect(s.explanation).toMatch(/^Preliminary \(2\/3\)/);
  });

  it("(5,12,18) → computed, very_cheap_sector (0,16,40 → 16), 84/High", () => {
    const s = buildValuationState(m(5, 12, 18), BM);
    expect(s.stage).toBe("computed");
    expect(s.valuation_status).toBe("very_cheap_sector");
    expect(s.median_percentile).toBe(16);
    expect(s.confidence).toMatchObject({ label: "High", percent: 84, valid_metrics_count: 3 });
  });

  it("(35,28,22) → very_expensive_sector (100,84,60 → 84), 84/High", () => {
    const s = buildValuationState(m(35, 28, 22), BM);
    expect(s.valuation_status).toBe("very_expensive_sector");
    expect(s.median_percentile).toBeCloseTo(84, 9);
    expect(s.confidence).toMatchObject({ label: "High", percent: 84 });
  });

  it("(20,22,–) → fair_sector (50,60 → 55), 63/Medium; legacy fair/50", () => {
    const s = buildValuationState(m(20, 22, null), BM);
    expect(s.valuation_status).toBe("fair_sector");
    expect(s.median_percentile).toBe(55);
    expect(s.confidence).toMatchObject({ label: "Medium", percent: 63 });
    expect(legacyValuation(s)).toEqual({
      valuation_status: "fair",
      valuation_score: 50,
      confidence: 63,
      warnings: [],
    });
  });

  it("(10,30,–) → fair_sector (10,90 → 50), 35/Low", () => {
    const s = buildValuationState(m(10, 30, null), BM);
    expect(s.valuation_status).toBe("fair_sector");
    expect(s.confidence).toMatchObject({ label: "Low", percent: 35 });
    expect(s.explanation).toMatch(/caution/);
  });

  it("(5,12,18) + early → descriptive_only, stage computed, 84/High", () => {
    const s = buildValuationState(m(5, 12, 18), BM, { fgos_maturity: "early" });
    expect(s.valuation_status).toBe("descriptive_only");
    expect(s.stage).toBe("computed");
    expect(s.confidence).toMatchObject({ label: "High", percent: 84 });
  });

  it("(5,12,18) + developing [6M,1Y,2Y,3Y] → potentially_cheap, 84/Medium", () => {
    const s = buildValuationState(m(5, 12, 18), BM, {
      fgos_maturity: "developing",
      dominant_horizons: DEVELOPING_H,
    });
    expect(s.valuation_status).toBe("potentially_cheap");
    expect(s.confidence).toMatchObject({ label: "Medium", percent: 84 });
  });

  it("(10,30,–) + developing → pending/pending (dispersion 80)", () => {
    const s = buildValuationState(m(10, 30, null), BM, {
      fgos_maturity: "developing",
      dominant_horizons: DEVELOPING_H,
    });
    expect(s.valuation_status).toBe("pending");
    expect(s.stage).toBe("pending");
  });

  it("(18,19,20) + developing [1M,3M] → pending/pending (no ≥1Y horizon)", () => {
    const s = buildValuationState(m(18, 19, 20), BM, {
      fgos_maturity: "developing",
      dominant_horizons: ["1M", "3M"],
    });
    expect(s.valuation_status).toBe("pending");
    expect(s.stage).toBe("pending");
  });

  it("established and null maturity leave the status unchanged", () => {
    for (const fgos_maturity of ["established", null] as const) {
      expect(buildValuationState(m(5, 12, 18), BM, { fgos_maturity }).valuation_status).toBe(
        "very_cheap_sector",
      );
    }
  });
});

describe("valuation snapshot mapping (spec §4.3)", () => {
  it("maps canonical to legacy status", () => {
    expect(legacyValuationStatus("very_cheap_sector")).toBe("undervalued");
    expect(legacyValuationStatus("potentially_cheap")).toBe("undervalued");
    expect(legacyValuationStatus("expensive_sector")).toBe("overvalued");
    expect(legacyValuationStatus("potentially_expensive")).toBe("overvalued");
    expect(legacyValuationStatus("fair_sector")).toBe("fair");
    expect(legacyValuationStatus("descriptive_only")).toBe("pending");
  });

  it("keeps raw multiples and the state; no benchmarks → pending with {Low,0,0}", () => {
    const raw = m(-4, 12, null);
    const snap = valuationSnapshot(raw, buildValuationState(raw, null));
    expect(snap).toMatchObject({
      pe_ratio: -4,
      ev_ebitda: 12,
      price_to_fcf: null,
      valuation_status: "pending",
      canonical_status: "pending",
      stage: "pending",
      confidence: { label: "Low", percent: 0, valid_metrics_count: 0 },
    });
  });

  it("no ratios at all → the same shape with null multiples", () => {
    const snap = valuationSnapshot(null, buildValuationState(null, BM));
    expect(snap).toEqual({
      pe_ratio: null,
      ev_ebitda: null,
      price_to_fcf: null,
      valuation_status: "pending",
      stage: "pending",
      canonical_status: "pending",
      confidence: { label: "Low", percent: 0, valid_metrics_count: 0 },
      explanation: expect.any(String),
    });
  });

  it("descriptive_only maps to legacy pending with no score", () => {
    const s = buildValuationState(m(5, 12, 18), BM, { fgos_maturity: "early" });
    expect(legacyValuation(s)).toMatchObject({
      valuation_status: "pending",
      valuation_score: null,
    });
    expect(valuationSnapshot(m(5, 12, 18), s).valuation_status).toBe("pending");
  });

  it("legacy scores 80 / 20 / null and warns when pending", () => {
    expect(legacyValuation(buildValuationState(m(5, 12, 18), BM)).valuation_score).toBe(80);
    expect(legacyValuation(buildValuationState(m(35, 28, 22), BM)).valuation_score).toBe(20);
    const pending = legacyValuation(buildValuationState(null, BM));
    expect(pending.valuation_score).toBeNull();
    expect(pending.warnings).toEqual(["Insufficient valuation data"]);
  });

  it("property: never NaN; percent within 0..100; stage matches the count", () => {
    fc.assert(
      fc.property(
        maybeNumber(-50, 200),
        maybeNumber(-50, 200),
        maybeNumber(-50, 200),
        (pe, ev, p) => {
          const s = buildValuationState(m(pe, ev, p), BM);
          expect(noBrokenNumbers(s)).toBe(true);
          expect(s.confidence.percent).toBeGreaterThanOrEqual(0);
          expect(s.confidence.percent).toBeLessThanOrEqual(100);
          const n = s.confidence.valid_metrics_count;
          expect(s.stage).toBe(n < 2 ? "pending" : n === 2 ? "partial" : "computed");
        },
      ),
    );
  });
});
