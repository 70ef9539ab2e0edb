/**
 * The pure snapshot builder: a computed row and what each column holds, pending rows with
 * their reasons, point in time (later rows change nothing), no NaN anywhere, the context
 * blocks, price figures, dividends and the chunk packing.
 */
import { describe, expect, it } from "vitest";
import { buildSnapshot, ENGINE_VERSION, failedSnapshot } from "../../../assets/snapshot/build.ts";
import { dividendQuality } from "../../../assets/snapshot/dividends.ts";
import {
  industryPerformanceBlock,
  sectorPeBlock,
  sectorPerformanceBlock,
} from "../../../assets/snapshot/groups.ts";
import { packChunks } from "../../../assets/snapshot/inputs.ts";
import { resolveClassification } from "../../../assets/snapshot/point-in-time.ts";
import { priceMetrics } from "../../../assets/snapshot/prices.ts";
import { marketCapOnDay } from "../../../assets/snapshot/profile.ts";
import {
  benchmarkRows,
  DAY,
  dividends,
  fiscalYear,
  fixture,
  INDUSTRY,
  nonFinite,
  SECTOR,
  scores,
  valuations,
  yearOfPrices,
} from "./fixture.ts";

type Json = Record<string, unknown>;
const json = (x: unknown) => x as Json;

describe("a company with every input", () => {
  const { input, context } = fixture();
  const row = buildSnapshot(input, context);

  it("gets FGOS computed with its components, maturity, growth and brakes", () => {
    expect(row).toMatchObject({
      ticker: "ACME",
      snapshot_date: DAY,
      engine_version: ENGINE_VERSION,
      fgos_status: "computed",
      fgos_reason: null,
      fgos_maturity: "established",
      classification: { status: "full", sector: SECTOR, industry: INDUSTRY, source: "canonical" },
    });
    expect(row.fgos_score).toBeGreaterThan(0);
    expect(["High", "Medium", "Low"]).toContain(row.fgos_category);
    const components = json(row.fgos_components);
    expect(components.quality_brakes).toMatchObject({ altman_z: 3.6, piotroski_score: 7 });
    expect(json(components.moat_details).status).not.toBe("pending");
    expect(json(components.competitive_advantage).score).toEqual(expect.any(Number));
    expect(json(components.sentiment_details).status).toBe("computed");
    expect(json(row.fundamentals_growth).revenue_cagr).toBeCloseTo(0.1, 9);
  });

  it("brakes only with the scores of D: an older row never stands in", () => {
    const yesterday = buildSnapshot({ ...input, scores: [scores("2026-11-26")] }, context);
    const brakes = json(json(yesterday.fgos_components).quality_brakes);
    expect(brakes).toMatchObject({ altman_z: null, piotroski_score: null });
    expect(json(yesterday.profile_structural).financial_scores).toBeNull();
  });

  it("values the latest quarter-end multiples against the sector", () => {
    expect(row.valuation).toMatchObject({
      pe_ratio: valuations().at(-1)?.pe_ratio,
      valuation_date: "2026-09-30",
      source: "datos_valuacion_ttm",
      stage: "computed",
    });
    expect(json(row.market_position).status).toBe("computed");
  });

  it("fills the relative columns as stock minus sector and minus SPY on D", () => {
    expect(row.relative_vs_sector_1m).toBeCloseTo(4 - 3, 9);
    expect(row.relative_vs_market_1y).toBeCloseTo(35 - 22, 9);
    expect(row.relative_vs_sector_5y).toBeCloseTo(120 - 10, 9);
    expect(json(row.relative_return).windows_used).toEqual(["1Y", "3Y", "5Y"]);
    expect(json(row.ifs).position).toBe("leader");
  });

  it("scores IQS against the industry's peers, and dividend quality", () => {
    expect(json(row.ifs_fy).mode).toBe("fy_industry_structural");
    expect(json(row.dividend_quality)).toMatchObject({
      status: "computed",
      band: expect.any(String),
    });
  });

  it("reads the verdict twice, as investment_verdict and strategic_state", () => {
    expect(row.strategic_state).toEqual(row.investment_verdict);
    expect(json(row.investment_verdict).verdict_label).not.toBe("inconclusive");
  });

  it("fills the context blocks, the profile and the market snapshot", () => {
    expect(row.sector_performance).toMatchObject({ status: "full", date: DAY });
    expect(row.industry_performance).toMatchObject({ status: "full", date: DAY });
    expect(row.sector_pe).toEqual({ status: "full", value: 24, date: DAY, constituents: 40 });
    const profile = json(row.profile_structural);
    expect(profile.status).toBe("computed");
    expect(json(profile.identity)).toMatchObject({ name: "Acme Corp", founded: "2005-04-01" });
    // The scored TTM's 100M diluted shares at D's close.
    expect(json(profile.metrics)).toMatchObject({
      marketCap: 100_000_000 * (json(profile.metrics).price as number),
      marketCapSource: "shares_x_close",
    });
    expect(json(profile.financial_scores).altman_z).toBe(3.6);
    expect(json(row.market_snapshot).ytd_percent).toBe(30);
    expect(json(row.data_confidence)).toMatchObject({ has_fgos: true, has_valuation: true });
  });

  it("records the newest input it used, none after D", () => {
    expect(row.latest_input_date).toBe(DAY);
    expect(row.latest_filing_date).toBe("2026-11-09");
    expect(json(row.input_dates)).toMatchObject({
      financials_period_end: "2026-09-30",
      financials_filed: "2026-11-05",
      valuation_date: "2026-09-30",
      benchmarks_date: DAY,
    });
  });

  it("has no NaN or infinity anywhere", () => {
    expect(nonFinite(row)).toEqual([]);
  });
});

describe("pending rows keep their row and say why", () => {
  it("without a sector", () => {
    const { input, context } = fixture();
    const row = buildSnapshot(
      { ...input, membership: null, profile: { ...input.profile!, sector: null, industry: null } },
      context,
    );
    expect(row).toMatchObject({
      fgos_status: "pending",
      fgos_reason: "missing_sector",
      fgos_score: null,
      fgos_category: "Pending",
      classification: { status: "missing", sector: null },
    });
    expect(json(row.fgos_components).reason).toBe("missing_sector");
  });

  it("without benchmarks for the sector", () => {
    const { input, context } = fixture();
    const row = buildSnapshot(input, { ...context, benchmarks: new Map() });
    expect(row.fgos_reason).toBe("insufficient_sector_benchmarks");
    expect(json(row.market_position).status).toBe("pending");
  });

  it("without financials, or with only stale ones", () => {
    const { input, context } = fixture();
    expect(buildSnapshot({ ...input, financials: [] }, context).fgos_reason).toBe(
      "missing_financials_data",
    );
    const stale = input.financials.filter((r) => r.period_end_date <= "2024-12-31");
    const row = buildSnapshot({ ...input, financials: stale }, context);
    expect(row.fgos_reason).toBe("missing_financials_data");
    expect(row.fgos_maturity).toBe("established");
  });

  it("with nothing at all but a ticker", () => {
    const { context } = fixture();
    const row = buildSnapshot(
      {
        ticker: "GHOST",
        universe: null,
        profile: null,
        membership: null,
        prices: [],
        financials: [],
        valuations: [],
        scores: [],
        dividends: [],
        performance: [],
      },
      context,
    );
    expect(row).toMatchObject({ ticker: "GHOST", fgos_status: "pending", relative_return: null });
    expect(json(row.profile_structural)).toMatchObject({ status: "pending", computed: false });
    expect(json(row.investment_verdict).verdict_label).toBe("inconclusive");
    expect(nonFinite(row)).toEqual([]);
  });

  it("a build that threw is an engine_error row with every NOT NULL column", () => {
    const { input, context } = fixture();
    const row = failedSnapshot(input, context, new Error("boom"));
    expect(row).toMatchObject({ fgos_status: "pending", fgos_reason: "engine_error" });
    for (const column of [
      "classification",
      "profile_structural",
      "market_snapshot",
      "fgos_components",
      "valuation",
      "market_position",
      "investment_verdict",
      "strategic_state",
      "data_confidence",
      "input_dates",
    ] as const) {
      expect(row[column], column).not.toBeNull();
    }
    expect(json(row.fgos_components).error).toBe("boom");
  });
});

describe("point in time", () => {
  it("rows dated or filed after D change nothing", () => {
    const { input, context } = fixture();
    const base = buildSnapshot(input, context);
    const later = (date: string) => date.replace("2026-11-27", "2026-11-30");
    const polluted = buildSnapshot(
      {
        ...input,
        // Each row below is either dated after D or ended by D but filed after it (those
        // would win every "latest" pick if the builder let them through).
        financials: [
          ...input.financials,
          { ...fiscalYear("ACME", 2026, 3), filing_date: "2026-12-01" },
          {
            ...fiscalYear("ACME", 2025, 5),
            period_label: "2026Q4",
            period_type: "TTM",
            period_end_date: "2026-12-31",
            filing_date: "2027-02-01",
          },
          {
            ...fiscalYear("ACME", 2025, 5),
            period_label: "2026Q4x",
            period_type: "TTM",
            period_end_date: "2026-10-31",
            filing_date: "2026-12-02",
          },
        ],
        valuations: [
          ...input.valuations,
          {
            valuation_date: "2026-10-31",
            filing_date: "2026-12-15",
            price: 1,
            market_cap: 1,
            pe_ratio: 1,
            ev_ebitda: 1,
            price_to_fcf: 1,
            price_to_sales: 1,
          },
          {
            valuation_date: "2026-12-31",
            filing_date: "2027-02-01",
            price: 1,
            market_cap: 1,
            pe_ratio: 1,
            ev_ebitda: 1,
            price_to_fcf: 1,
            price_to_sales: 1,
          },
        ],
        scores: [...input.scores, { ...scores("2026-11-30"), altman_z: 0.5, piotroski_score: 1 }],
        dividends: [
          ...input.dividends,
          {
            ...dividends()[0]!,
            year: 2026,
            fiscal_year_end_date: "2026-06-30",
            filing_date: "2026-12-10",
            dividend_per_share: 0,
            has_dividend: false,
          },
          {
            ...dividends()[0]!,
            year: 2027,
            fiscal_year_end_date: "2026-12-31",
            filing_date: "2027-02-20",
            dividend_per_share: 9,
          },
        ],
        prices: [
          ...input.prices,
          { price_date: "2026-11-30", close: 999, high: 999, low: 999, volume: 1 },
        ],
        performance: [
          ...input.performance,
          ...input.performance.map((r) => ({
            ...r,
            performance_date: later(r.performance_date),
            return_percent: -99,
          })),
        ],
      },
      {
        ...context,
        marketPrices: [
          ...context.marketPrices,
          { price_date: "2026-11-30", close: 1, high: 1, low: 1, volume: 1 },
        ],
        benchmarks: new Map([
          [
            SECTOR,
            [
              ...benchmarkRows(SECTOR, DAY),
              ...benchmarkRows(SECTOR, "2026-11-30").map((b) => ({ ...b, p50: b.p90 })),
            ],
          ],
        ]),
        industryPeers: new Map([
          [
            INDUSTRY,
            [
              ...(context.industryPeers.get(INDUSTRY) ?? []),
              { ...fiscalYear("PEERE", 2025, 9), filing_date: "2026-12-01" },
              { ...fiscalYear("PEERF", 2025, 0.1), filing_date: "2026-12-01" },
            ],
          ],
        ]),
      },
    );
    expect(polluted).toEqual(base);
  });

  it("a day before the latest filings is built from the filings known then", () => {
    const { input, context } = fixture();
    // On 2026-11-04 the TTM row (filed 11-05) and the Sep quarter's valuation (filed 11-09)
    // were not known yet.
    const row = buildSnapshot(input, { ...context, day: "2026-11-04" });
    expect(json(row.input_dates)).toMatchObject({
      financials_period_end: "2025-12-31",
      valuation_date: "2026-06-30",
    });
    expect(row.latest_filing_date! <= "2026-11-04").toBe(true);
    expect(row.latest_input_date! <= "2026-11-04").toBe(true);
  });
});

describe("no NaN whatever the inputs", () => {
  it("zeros, negatives and missing figures give nulls, never NaN", () => {
    const { input, context } = fixture();
    const weird = input.financials.map((r, i) => ({
      ...r,
      revenue: i % 2 ? 0 : -r.revenue!,
      net_income: i % 3 ? Number.NaN : 0,
      free_cash_flow: null,
      total_equity: -1,
      debt_to_equity: -2,
      roic: Number.POSITIVE_INFINITY,
      operating_margin: i % 2 ? null : Number.NaN,
    }));
    const row = buildSnapshot(
      {
        ...input,
        financials: weird,
        valuations: input.valuations.map((v) => ({
          ...v,
          pe_ratio: -v.pe_ratio!,
          price: 0,
          market_cap: 0,
        })),
        prices: input.prices.map((p) => ({ ...p, volume: null, high: null, low: null })),
        dividends: input.dividends.map((d) => ({ ...d, payout_eps: null, payout_fcf: Number.NaN })),
      },
      context,
    );
    expect(nonFinite(row)).toEqual([]);
  });
});

describe("the parts", () => {
  it("classification falls back to the profile and says so", () => {
    expect(resolveClassification(null, { sector: "Energy", industry: null } as never)).toEqual({
      status: "partial",
      sector: "Energy",
      industry: null,
      source: "profile_fallback",
    });
    expect(resolveClassification(null, null).status).toBe("missing");
  });

  it("price figures: change from the previous close, a stale price is none, beta vs the market", () => {
    const { acme, spy } = yearOfPrices();
    const m = priceMetrics(acme, spy, DAY);
    const [prev, last] = acme.slice(-2);
    expect(m.price).toBe(last!.close);
    expect(m.change).toBeCloseTo(last!.close - prev!.close, 9);
    expect(m.changePercentage).toBeCloseTo(((last!.close - prev!.close) / prev!.close) * 100, 9);
    expect(m.beta).toBeCloseTo(1.5, 6);
    expect(m.range).toMatch(/^[\d.]+-[\d.]+$/);
    expect(priceMetrics(acme, spy, "2027-01-15").price).toBeNull();
  });

  it("market cap: the scored row's diluted shares at D's close, never without either", () => {
    expect(marketCapOnDay({ weighted_shares_out: 1e8 }, { price: 50 })).toEqual({
      value: 5e9,
      source: "shares_x_close",
    });
    expect(marketCapOnDay(null, { price: 50 })).toEqual({ value: null, source: null });
    expect(marketCapOnDay({ weighted_shares_out: 1e8 }, { price: null })).toEqual({
      value: null,
      source: null,
    });
    expect(marketCapOnDay({ weighted_shares_out: 0 }, { price: 50 })).toEqual({
      value: null,
      source: null,
    });
  });

  it("context blocks: partial, stale and missing", () => {
    const { context } = fixture();
    const sector = context.sectorPerformance.get(SECTOR)!;
    expect(sectorPerformanceBlock(sector.slice(0, 4), DAY).status).toBe("partial");
    expect(sectorPerformanceBlock([], DAY)).toEqual({ status: "missing", date: null, data: {} });
    const industry = context.industryPerformance.get(INDUSTRY)!;
    const yesterday = industry.map((r) => ({ ...r, performance_date: "2026-11-25" }));
    expect(industryPerformanceBlock(yesterday, DAY).status).toBe("partial");
    const pe = context.sectorPe.get(SECTOR)!.map((r) => ({ ...r, pe_date: "2026-11-20" }));
    expect(sectorPeBlock(pe, DAY).status).toBe("partial");
    expect(sectorPeBlock([], DAY).status).toBe("missing");
  });

  it("a company that never paid is not scored on dividends", () => {
    const none = dividends().map((d) => ({ ...d, has_dividend: false, dividend_per_share: 0 }));
    const result = dividendQuality(none, []);
    expect(result).toMatchObject({ status: "not_paying", score: null, band: null });
    expect(dividendQuality([], []).status).toBe("no_data");
  });

  it("chunks hold whole industries, then the unclassified", () => {
    const industryOf = new Map([
      ["A1", "A"],
      ["A2", "A"],
      ["B1", "B"],
      ["B2", "B"],
      ["B3", "B"],
      ["C1", "C"],
    ]);
    const chunks = packChunks(
      ["A1", "A2", "B1", "B2", "B3", "C1", "X1", "X2", "X3"],
      industryOf,
      3,
    );
    expect(chunks.map((c) => [c.industries, c.tickers])).toEqual([
      [["A"], ["A1", "A2"]],
      [["B"], ["B1", "B2", "B3"]],
      [["C"], ["C1"]],
      [[], ["X1", "X2", "X3"]],
    ]);
  });
});
