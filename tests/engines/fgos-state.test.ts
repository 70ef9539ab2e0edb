import { describe, expect, it } from "vitest";
import { buildFgosState, qualityBucket } from "../../engines/index.ts";

describe("buildFgosState (spec §3.13)", () => {
  it("(76, g/p/e/s set, moat and sentiment null, 66, Medium) → partial, elite [computed]", () => {
    const s = buildFgosState({
      fgos_score: 76,
      fgos_components: {
        growth: 58,
        profitability: 80,
        efficiency: 75,
        solvency: 90,
        moat: null,
        sentiment: null,
      },
      fgos_confidence_percent: 66,
      fgos_confidence_label: "Medium",
    });
    expect(s.stage).toBe("partial");
    expect(s.quality_bucket).toBe("elite");
    expect(s.coverage).toEqual({
      total_dimensions: 6,
      computed_dimensions: 4,
      missing: ["Moat", "Sentiment"],
    });
    expect(s.sentiment_context).toBe("unknown");
    expect(s.confidence.label).toBe("Medium");
  });

  it("no components → pending, unknown, Low 0, coverage 6/0 [All]", () => {
    const s = buildFgosState({
      fgos_score: null,
      fgos_components: null,
      fgos_confidence_percent: null,
      fgos_confidence_label: null,
    });
    expect(s.stage).toBe("pending");
    expect(s.quality_bucket).toBe("unknown");
    expect(s.confidence).toEqual({
      label: "Low",
      percent: 0,
      explanation: "No analysis data available.",
    });
    expect(s.coverage).toEqual({ total_dimensions: 6, computed_dimensions: 0, missing: ["All"] });
    expect(s.sentiment_context).toBe("unknown");
  });

  it("derives the label from the percent when the stored label is invalid; sentiment bands", () => {
    const base = { fgos_score: 50, fgos_confidence_label: "bogus" };
    const all = { growth: 1, profitability: 1, efficiency: 1, solvency: 1, moat: 1 };
    const state = (percent: number, sentiment: number) =>
      buildFgosState({
        ...base,
        fgos_confidence_percent: percent,
        fgos_components: { ...all, sentiment },
      });
    expect(state(80, 65).confidence.label).toBe("High");
    expect(state(50, 45).confidence.label).toBe("Medium");
    expect(state(49, 44).confidence.label).toBe("Low");
    expect(state(80, 65).sentiment_context).toBe("supportive");
    expect(state(80, 45).sentiment_context).toBe("neutral");
    expect(state(80, 44).sentiment_context).toBe("hostile");
    expect(state(80, 65).stage).toBe("computed");
  });

  it("quality buckets", () => {
    expect([null, 39, 40, 59, 60, 74, 75].map(qualityBucket)).toEqual([
      "unknown",
      "weak",
      "average",
      "average",
      "strong",
      "strong",
      "elite",
    ]);
  });
});
