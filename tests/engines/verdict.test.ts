import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fgosVerdictBand, resolveFintraVerdict, type VerdictInput } from "../../engines/index.ts";
import { noBrokenNumbers } from "./helpers.ts";

const exceptional = (): VerdictInput => ({
  fgos: { score: 85, band: "strong", confidence: 90 },
  competitive_advantage: { score: 80, band: "strong", confidence: 85 },
  sentiment: { score: 50, band: "neutral", confidence: 80 },
  dividend_quality: { score: 80, band: "high", confidence: 80 },
  relative_return: { score: 70, band: "outperformer", confidence: 80 },
});

describe("resolveFintraVerdict (spec §13 vectors)", () => {
  it("all strong → exceptional, 99, 83", () => {
    const v = resolveFintraVerdict(exceptional());
    expect(v.verdict_label).toBe("exceptional");
    expect(v.verdict_score).toBe(99);
    expect(v.confidence).toBeCloseTo(83, 9);
    expect(v.drivers.tensions).toEqual([]);
  });

  it("same with pessimistic sentiment → exceptional, 100, 73, tension flagged", () => {
    const v = resolveFintraVerdict({
      ...exceptional(),
      sentiment: { score: 30, band: "pessimistic", confidence: 80 },
    });
    expect(v.verdict_label).toBe("exceptional");
    expect(v.verdict_score).toBe(100);
    expect(v.confidence).toBeCloseTo(73, 9);
    expect(v.drivers.tensions).toEqual(["Strong business with pessimistic sentiment"]);
  });

  it("weak FGOS with optimistic sentiment → speculative, 32, 46", () => {
    const v = resolveFintraVerdict({
      fgos: { score: 35, band: "weak", confidence: 80 },
      sentiment: { score: 70, band: "optimistic", confidence: 80 },
    });
    expect(v.verdict_label).toBe("speculative");
    expect(v.verdict_score).toBe(32);
    expect(v.confidence).toBeCloseTo(46, 9);
  });

  it("defendable with weak advantage → balanced, 60, 77, no tensions", () => {
    const v = resolveFintraVerdict({
      fgos: { score: 60, band: "defendable", confidence: 85 },
      competitive_advantage: { score: 30, band: "weak", confidence: 70 },
      dividend_quality: { score: 60, band: "acceptable", confidence: 75 },
      relative_return: { score: 50, band: "neutral", confidence: 75 },
      sentiment: { score: 50, band: "neutral", confidence: 80 },
    });
    expect(v.verdict_label).toBe("balanced");
    expect(v.verdict_score).toBe(60);
    expect(v.confidence).toBeCloseTo(77, 9);
    expect(v.drivers.tensions).toEqual([]);
    expect(v.drivers.negatives).toEqual(["Weak competitive advantage"]);
  });

  it("underperforming with high dividends → fragile, 55, 63.125", () => {
    const v = resolveFintraVerdict({
      fgos: { score: 55, band: "defendable", confidence: 85 },
      dividend_quality: { score: 80, band: "high", confidence: 80 },
      relative_return: { score: 30, band: "underperformer", confidence: 80 },
      sentiment: { score: 50, band: "neutral", confidence: 80 },
    });
    expect(v.verdict_label).toBe("fragile");
    expect(v.verdict_score).toBe(55);
    expect(v.confidence).toBeCloseTo(63.125, 9);
    expect(v.drivers.tensions).toEqual(["Good dividends with poor returns"]);
  });

  it("FGOS alone at 33 → inconclusive, score 50 kept, 19.8", () => {
    const v = resolveFintraVerdict({ fgos: { score: 50, band: "defendable", confidence: 33 } });
    expect(v.verdict_label).toBe("inconclusive");
    expect(v.verdict_score).toBe(50);
    expect(v.confidence).toBeCloseTo(19.8, 9);
  });

  it("no FGOS → inconclusive with the core-data message", () => {
    const v = resolveFintraVerdict({ fgos: { score: null, band: null, confidence: 0 } });
    expect(v).toEqual({
      verdict_label: "inconclusive",
      verdict_score: null,
      confidence: null,
      drivers: {
        positives: [],
        negatives: ["Insufficient core FGOS data to form a verdict"],
        tensions: [],
      },
    });
  });

  it("maps the FGOS category to a band", () => {
    expect(["High", "Medium", "Low", "Pending"].map((c) => fgosVerdictBand(c as "High"))).toEqual([
      "strong",
      "defendable",
      "weak",
      null,
    ]);
  });

  it("property: score and confidence within 0..100 or null, never NaN", () => {
    const band = <T extends string>(...bs: T[]) => fc.option(fc.constantFrom(...bs), { nil: null });
    const conf = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null });
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
        band("strong", "defendable", "weak"),
        conf,
        band("strong", "defendable", "weak"),
        band("optimistic", "neutral", "pessimistic"),
        band("high", "acceptable", "weak"),
        band("outperformer", "neutral", "underperformer"),
        conf,
        (score, fb, fc1, ca, se, dv, rr, c2) => {
          const v = resolveFintraVerdict({
            fgos: { score, band: fb, confidence: fc1 },
            competitive_advantage: { band: ca, confidence: c2 },
            sentiment: { band: se, confidence: c2 },
            dividend_quality: { band: dv, confidence: c2 },
            relative_return: { band: rr, confidence: c2 },
          });
          expect(noBrokenNumbers(v)).toBe(true);
          for (const x of [v.verdict_score, v.confidence]) {
            if (x !== null) {
              expect(x).toBeGreaterThanOrEqual(0);
              expect(x).toBeLessThanOrEqual(100);
            }
          }
        },
      ),
    );
  });
});
