/**
 * The pure parts of the aggregates: P/E filtering and cap weighting, percentiles ordered,
 * the trimmed mean and std dev, minimum samples, sample cleaning and group building, and
 * what each company contributes on a day (membership, latest valuation and financials).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  benchmarkRowProblem,
  groupBenchmarks,
  groupStatistics,
  groupStats,
  type MetricValues,
  peAggregate,
  peRowProblem,
  percentilesOf,
  percentilesOrdered,
  sampleStdDev,
  statsRowProblem,
} from "../../../assets/aggregates/group-stats.ts";
import { groupsWithFinancials } from "../../../assets/aggregates/groups.ts";
import { industryBenchmarkRows } from "../../../assets/aggregates/industry_benchmarks.ts";
import { industryPeRows } from "../../../assets/aggregates/industry_pe.ts";
import {
  type CompanyInputs,
  companyValues,
  type FinancialInput,
  latestFinancials,
  latestValuations,
  membershipOn,
  type ValuationInput,
} from "../../../assets/aggregates/inputs.ts";
import { sectorBenchmarkRows } from "../../../assets/aggregates/sector_benchmarks.ts";
import { sectorPeRows } from "../../../assets/aggregates/sector_pe.ts";
import { sectorStatsRows } from "../../../assets/aggregates/sector_stats.ts";

const finite = (min = -1e6, max = 1e6) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

describe("peAggregate", () => {
  it("keeps P/E in (0, 100] with a positive market cap, and needs 3 of them", () => {
    const inputs = [
      { pe_ratio: 10, market_cap: 100 },
      { pe_ratio: 20, market_cap: 300 },
      { pe_ratio: 100, market_cap: 600 }, // the bound is kept
      { pe_ratio: 0, market_cap: 1_000 },
      { pe_ratio: -5, market_cap: 1_000 },
      { pe_ratio: 100.01, market_cap: 1_000 },
      { pe_ratio: null, market_cap: 1_000 },
      { pe_ratio: Number.NaN, market_cap: 1_000 },
      { pe_ratio: 15, market_cap: null },
      { pe_ratio: 15, market_cap: 0 },
    ];
    const a = peAggregate(inputs)!;
    expect(a.constituents).toBe(3);
    expect(a.pe).toBe(20);
    // (10 × 100 + 20 × 300 + 100 × 600) / 1,000
    expect(a.pe_cap_weighted).toBeCloseTo(67, 12);
    expect([a.p10, a.p25, a.p50, a.p75, a.p90]).toEqual([10, 10, 20, 20, 20]);
    expect(peAggregate(inputs.slice(0, 2))).toBeNull();
  });

  it("takes the mean of the middle two as the median of an even count", () => {
    const a = peAggregate([8, 12, 16, 30].map((pe) => ({ pe_ratio: pe, market_cap: 1 })))!;
    expect(a.pe).toBe(14);
    expect(a.p50).toBe(12); // the lower nearest rank, as the benchmarks
    expect(a.pe_cap_weighted).toBe(16.5); // equal caps: the plain mean
  });

  it("weights by market cap: a giant pulls the weighted P/E, not the median", () => {
    const a = peAggregate([
      { pe_ratio: 10, market_cap: 1 },
      { pe_ratio: 12, market_cap: 1 },
      { pe_ratio: 40, market_cap: 98 },
    ])!;
    expect(a.pe).toBe(12);
    expect(a.pe_cap_weighted).toBeCloseTo(39.42, 10);
  });

  it("is ordered, inside (0, 100] and independent of input order (property)", () => {
    const entry = fc.record({
      pe_ratio: fc.oneof(finite(-50, 300), fc.constant(null)),
      market_cap: fc.oneof(finite(1, 1e12), fc.constant(0), fc.constant(null)),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), (inputs) => {
        const a = peAggregate(inputs);
        const reversed = peAggregate([...inputs].reverse());
        expect(reversed).toEqual(a);
        if (a === null) return;
        expect(peRowProblem(a)).toBeNull();
      }),
    );
  });
});

describe("percentiles", () => {
  it("use the lower nearest rank", () => {
    const sorted = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentilesOf(sorted)).toEqual({ p10: 10, p25: 20, p50: 50, p75: 70, p90: 90 });
    expect(percentilesOf([1, 2, 3, 4, 5])).toEqual({ p10: 1, p25: 2, p50: 3, p75: 4, p90: 4 });
  });

  it("are monotonic and inside the sample (property)", () => {
    fc.assert(
      fc.property(fc.array(finite(), { minLength: 1, maxLength: 60 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const p = percentilesOf(sorted);
        expect(percentilesOrdered(p)).toBe(true);
        expect(p.p10).toBeGreaterThanOrEqual(sorted[0]!);
        expect(p.p90).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
      }),
    );
  });

  it("percentilesOrdered rejects a missing or inverted value", () => {
    expect(percentilesOrdered({ p10: 1, p25: 2, p50: 2, p75: 3, p90: 4 })).toBe(true);
    expect(percentilesOrdered({ p10: 1, p25: 3, p50: 2, p75: 3, p90: 4 })).toBe(false);
    expect(percentilesOrdered({ p10: null, p25: 3, p50: 3, p75: 3, p90: 4 })).toBe(false);
  });
});

describe("groupStats", () => {
  it("gives mean, sample std dev, median, trimmed mean and count", () => {
    const s = groupStats([5, 1, 4, 2, 3])!;
    expect(s).toEqual({
      mean: 3,
      std_dev: Math.sqrt(2.5),
      median: 3,
      trimmed_mean: 3,
      sample_size: 5,
    });
  });

  it("trims floor(10 %) at each end: none under 10 values, one each end from 10", () => {
    const nine = [1, 2, 3, 4, 5, 6, 7, 8, 1_000];
    expect(groupStats(nine)!.trimmed_mean).toBeCloseTo(1_036 / 9, 12);
    const ten = [-1_000, 1, 2, 3, 4, 5, 6, 7, 8, 1_000];
    expect(groupStats(ten)!.trimmed_mean).toBe(4.5); // 1..8
    expect(groupStats(ten)!.mean).toBe(3.6);
    expect(groupStats(ten)!.median).toBe(4.5);
  });

  it("needs 3 finite values, ignoring nulls and NaN", () => {
    expect(groupStats([1, 2])).toBeNull();
    expect(groupStats([1, null, Number.NaN, 2, undefined])).toBeNull();
    expect(groupStats([1, null, 2, 3])!.sample_size).toBe(3);
  });

  it("does not depend on the order of the values (property)", () => {
    fc.assert(
      fc.property(fc.array(finite(), { minLength: 3, maxLength: 50 }), (values) => {
        const a = groupStats(values)!;
        expect(groupStats([...values].reverse())).toEqual(a);
        expect(statsRowProblem(a)).toBeNull();
        expect(a.trimmed_mean).toBeGreaterThanOrEqual(Math.min(...values));
        expect(a.trimmed_mean).toBeLessThanOrEqual(Math.max(...values));
      }),
    );
  });

  it("sampleStdDev divides by n − 1", () => {
    expect(sampleStdDev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleStdDev([3])).toBeNull();
  });
});

// -------------------------------------------------------------------------------------
// Groups

function company(
  ticker: string,
  sector: string,
  industry: string,
  values: MetricValues,
): CompanyInputs {
  return {
    ticker,
    sector,
    industry,
    values,
    hasFinancials: values.roic !== undefined && values.roic !== null,
    hasValuation: values.pe_ratio !== undefined && values.pe_ratio !== null,
  };
}

const DAY = "2026-11-27";
const COMPANIES = [
  company("A", "Technology", "Software", {
    roic: 0.1,
    pe_ratio: 20,
    market_cap: 100,
    debt_to_equity: 0.5,
  }),
  company("B", "Technology", "Software", {
    roic: 0.2,
    pe_ratio: -3,
    market_cap: 200,
    debt_to_equity: -2,
  }),
  company("C", "Technology", "Software", {
    roic: 0.3,
    pe_ratio: 30,
    market_cap: 300,
    debt_to_equity: 1,
  }),
  company("D", "Technology", "Semiconductors", {
    roic: 0.4,
    pe_ratio: 40,
    market_cap: 400,
    debt_to_equity: 2,
  }),
  company("E", "Energy", "Oil & Gas", { roic: 0.05, pe_ratio: 8, market_cap: 50 }),
  company("F", "Energy", "Oil & Gas", { roic: null, pe_ratio: 9, market_cap: 60 }),
];

describe("group benchmarks and statistics", () => {
  it("clean each sample as the engines do and drop groups under 3 values", () => {
    const bySector = groupBenchmarks(COMPANIES, (c) => c.sector, [
      "roic",
      "pe_ratio",
      "debt_to_equity",
    ]);
    expect(bySector.map((b) => [b.group, b.metric, b.value.sample_size])).toEqual([
      ["Technology", "roic", 4],
      ["Technology", "pe_ratio", 3], // the negative P/E is out
      ["Technology", "debt_to_equity", 3], // so is negative equity
    ]);
    const pe = bySector.find((b) => b.metric === "pe_ratio")!.value;
    expect([pe.p10, pe.p50, pe.p90, pe.confidence, pe.median]).toEqual([20, 30, 30, "low", 30]);
    const stats = groupStatistics(COMPANIES, (c) => c.industry, ["roic"]);
    expect(stats).toEqual([
      {
        group: "Software",
        metric: "roic",
        value: expect.objectContaining({ sample_size: 3, mean: expect.closeTo(0.2, 12) }),
      },
    ]);
  });

  it("build each table's rows: sector and industry rows apart, the industry's sector kept", () => {
    const rows = sectorBenchmarkRows(COMPANIES, DAY);
    expect(rows.map((r) => [r.group_type, r.sector, r.metric])).toEqual([
      ["sector", "Technology", "roic"],
      ["sector", "Technology", "debt_to_equity"],
      ["sector", "Technology", "pe_ratio"],
      ["sector", "Technology", "market_cap"],
      ["industry", "Software", "roic"],
      ["industry", "Software", "market_cap"],
    ]);
    for (const r of rows) expect(benchmarkRowProblem(r)).toBeNull();
    const industry = industryBenchmarkRows(COMPANIES, DAY);
    expect(industry.map((r) => [r.industry, r.sector, r.metric, r.p50])).toEqual(
      rows
        .filter((r) => r.group_type === "industry")
        .map((r) => [r.sector, "Technology", r.metric, r.p50]),
    );
    expect(sectorStatsRows(COMPANIES, DAY).map((r) => [r.sector, r.metric, r.sample_size])).toEqual(
      [
        ["Technology", "roic", 4],
        ["Technology", "debt_to_equity", 3],
        ["Technology", "pe_ratio", 3],
        ["Technology", "market_cap", 4],
      ],
    );
    expect(sectorPeRows(COMPANIES, DAY)).toEqual([
      expect.objectContaining({
        sector: "Technology",
        pe: 30,
        constituents: 3,
        source: "constituents_ttm",
      }),
    ]);
    expect(industryPeRows(COMPANIES, DAY)).toEqual([]); // Software keeps 2 P/E, Oil & Gas 2
  });

  it("counts the groups that can have a financial benchmark (3+ constituents with financials)", () => {
    expect(groupsWithFinancials(COMPANIES)).toBe(1); // Technology 4; Energy only 1 with a row
    expect(groupsWithFinancials(COMPANIES.slice(0, 2))).toBe(0);
    const byIndustry = new Map<string, number>();
    for (const c of COMPANIES.filter((c) => c.hasFinancials))
      byIndustry.set(c.industry, (byIndustry.get(c.industry) ?? 0) + 1);
    const expected = [...byIndustry.values()].filter((n) => n >= 3).length;
    expect(groupsWithFinancials(COMPANIES, "industry")).toBe(expected);
  });

  it("flags stored rows that break the invariants", () => {
    const row = { p10: 1, p25: 2, p50: 3, p75: 4, p90: 5, sample_size: 12, confidence: "medium" };
    expect(benchmarkRowProblem(row)).toBeNull();
    expect(benchmarkRowProblem({ ...row, confidence: "high" })).toMatch(/confidence/);
    expect(benchmarkRowProblem({ ...row, sample_size: 2, confidence: "low" })).toMatch(/sample/);
    expect(benchmarkRowProblem({ ...row, p75: 6 })).toMatch(/ordered/);
    const pe = {
      pe: 15,
      pe_cap_weighted: 18,
      p10: 5,
      p25: 10,
      p50: 15,
      p75: 20,
      p90: 40,
      constituents: 5,
    };
    expect(peRowProblem(pe)).toBeNull();
    expect(peRowProblem({ ...pe, p90: 140 })).toMatch(/outside/);
    expect(peRowProblem({ ...pe, pe: 50 })).toMatch(/median/);
    expect(
      statsRowProblem({ mean: 1, median: 1, trimmed_mean: 1, std_dev: -1, sample_size: 3 }),
    ).toMatch(/std dev/);
  });
});

// -------------------------------------------------------------------------------------
// Inputs

describe("membershipOn", () => {
  const industries = [
    { industry_code: "software", industry_name: "Software", sector: "Technology" },
    { industry_code: "banks", industry_name: "Banks", sector: "Financial Services" },
  ];
  const rows = [
    {
      ticker: "A",
      industry_code: "software",
      effective_from: "1900-01-01",
      effective_to: "2026-06-30",
    },
    { ticker: "A", industry_code: "banks", effective_from: "2026-07-01", effective_to: null },
    { ticker: "B", industry_code: "software", effective_from: "2026-09-01", effective_to: null },
    { ticker: "C", industry_code: "unknown", effective_from: "1900-01-01", effective_to: null },
  ];

  it("uses the row valid on the day, both ends included", () => {
    expect(membershipOn(rows, industries, "2026-06-30").get("A")).toEqual({
      industry: "Software",
      sector: "Technology",
    });
    expect(membershipOn(rows, industries, "2026-07-01").get("A")?.industry).toBe("Banks");
  });

  it("leaves out tickers not yet mapped and codes outside the taxonomy", () => {
    const m = membershipOn(rows, industries, "2026-08-01");
    expect([...m.keys()]).toEqual(["A"]);
    expect(membershipOn(rows, industries, "2026-09-01").has("B")).toBe(true);
  });
});

describe("latestValuations", () => {
  const row = (
    ticker: string,
    valuation_date: string,
    filing_date: string,
    pe: number,
  ): ValuationInput => ({
    ticker,
    valuation_date,
    filing_date,
    pe_ratio: pe,
    ev_ebitda: null,
    price_to_fcf: null,
    market_cap: 1,
  });

  it("takes each ticker's latest quarter valued and filed by the day, within 200 days", () => {
    const rows = [
      row("A", "2026-06-30", "2026-08-01", 10),
      row("A", "2026-09-30", "2026-11-20", 11),
      row("A", "2026-12-31", "2026-11-26", 99), // a quarter not yet ended
      row("B", "2026-06-30", "2026-08-01", 20),
      row("B", "2026-09-30", "2026-11-28", 21), // filed after the day
      row("C", "2026-03-31", "2026-05-01", 30), // 241 days before the day
    ];
    const picked = latestValuations(rows, "2026-11-27");
    expect([...picked].map(([t, r]) => [t, r.pe_ratio])).toEqual([
      ["A", 11],
      ["B", 20],
    ]);
  });
});

describe("latestFinancials", () => {
  const row = (
    ticker: string,
    period_type: string,
    period_end_date: string,
    filing_date: string,
    roic: number,
  ): FinancialInput =>
    ({
      ticker,
      period_type,
      period_label: period_end_date.slice(0, 4),
      period_end_date,
      filing_date,
      roic,
    }) as FinancialInput;

  it("picks the row FGOS scores: latest TTM or FY filed by the day, TTM winning a tie", () => {
    const rows = [
      row("A", "FY", "2026-06-30", "2026-08-15", 1),
      row("A", "TTM", "2026-06-30", "2026-08-15", 2),
      row("A", "TTM", "2026-09-30", "2026-11-30", 3), // filed after the day
      row("B", "TTM", "2025-12-31", "2026-02-10", 4),
      row("B", "FY", "2026-03-31", "2026-05-20", 5), // a later FY beats an older TTM
      row("C", "FY", "2025-03-31", "2025-05-20", 6), // 606 days old: stale
    ];
    const picked = latestFinancials(rows, "2026-11-27");
    expect([...picked].map(([t, r]) => [t, r.roic])).toEqual([
      ["A", 2],
      ["B", 5],
    ]);
  });

  it("maps the picked rows to the benchmark metrics, null where there is none", () => {
    const values = companyValues(
      { roic: 0.1, operating_margin: 0.2 } as FinancialInput,
      { pe_ratio: 15, market_cap: 1e9 } as ValuationInput,
    );
    expect(values).toMatchObject({
      roic: 0.1,
      operating_margin: 0.2,
      pe_ratio: 15,
      market_cap: 1e9,
    });
    expect(values.net_margin).toBeNull();
    expect(Object.keys(companyValues(undefined, undefined))).toHaveLength(14);
  });
});
