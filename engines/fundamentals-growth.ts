/**
 * Growth inputs and growth status (spec §3.10), written to `fundamentals_growth` and fed to
 * FGOS's growth pillar and to the growth benchmarks.
 *
 * Decision (true CAGRs from FY rows): `revenue_cagr`, `earnings_cagr` and `fcf_cagr` are
 * compound annual growth rates over the last 3 fiscal years, `(end / start)^(1/3) − 1`,
 * read from FY rows only and anchored at the newest fiscal year. When the 3-year rate cannot
 * be computed the 2-year rate is used. A rate is null when any fiscal year of its span is
 * missing (no FY row, or a null value for that metric), when the start value is not
 * positive, or when the end value is negative (the ratio has no real root). A null is never
 * read as 0 %. The original averaged three year-over-year rates over FY, Q and TTM rows
 * mixed together, counted nulls as 0 % and could never reach its 2-year fallback.
 *
 * The status windows use the same CAGR over N years of revenue (N from the industry's
 * dominant horizons ∪ {1,3,5}), and follow the original's per-maturity rules.
 */
import { type FinancialRow, fiscalYearRows } from "./financial-rows.ts";
import { isNum, num } from "./math.ts";
import type { MaturityClass } from "./maturity.ts";
import type { Count, IsoDate, Ratio, Year } from "./units.ts";

/** Industry cadence profile from `industry_metadata`. */
export interface IndustryProfile {
  cadence: "fast" | "medium" | "slow" | string;
  /** Window codes such as "6M", "1Y", "3Y". */
  dominant_horizons: readonly string[];
  structural_horizon_min_years: Count;
}

/** The profile of any industry not listed in `industry_metadata`. */
export const DEFAULT_INDUSTRY_PROFILE: IndustryProfile = {
  cadence: "medium",
  dominant_horizons: ["6M", "1Y", "2Y", "3Y"],
  structural_horizon_min_years: 3,
};

/** The three growth inputs of FGOS (decimal fractions per year). */
export interface GrowthInputs {
  revenue_cagr: Ratio | null;
  earnings_cagr: Ratio | null;
  fcf_cagr: Ratio | null;
}

/** Growth status values. */
type GrowthStatus =
  | "pending"
  | "emerging_growth"
  | "inconsistent_growth"
  | "volatile_growth"
  | "stable_growth"
  | "improving_growth"
  | "strong_growth"
  | "moderate_growth"
  | "weak_growth";

/** The `fundamentals_growth` JSON. */
export interface FundamentalsGrowth extends GrowthInputs {
  status: GrowthStatus;
  confidence: "low" | "medium" | "high";
  reasons: string[];
  coverage: { valid_windows: Count; required_windows: Count };
}

type GrowthField = "revenue" | "net_income" | "free_cash_flow";

/** Compound annual growth rate (decimal per year) from start to end over `years`; null if undefined. */
export function cagr(
  start: number | null | undefined,
  end: number | null | undefined,
  years: number,
): Ratio | null {
  if (!isNum(start) || !isNum(end) || start <= 0 || end < 0 || years <= 0) return null;
  return num((end / start) ** (1 / years) - 1);
}

/** CAGR (decimal per year) of a field over the `years` fiscal years ending at `endYear`. */
function fiscalCagr(
  byYear: ReadonlyMap<Year, FinancialRow>,
  field: GrowthField,
  endYear: Year,
  years: number,
): Ratio | null {
  for (let fy = endYear - years; fy <= endYear; fy++) {
    if (!isNum(byYear.get(fy)?.[field])) return null;
  }
  return cagr(byYear.get(endYear - years)?.[field], byYear.get(endYear)?.[field], years);
}

/** 3-year CAGRs (2-year fallback; decimal per year) of revenue, net income, FCF from FY rows. */
export function growthInputs(rows: readonly FinancialRow[], asOf?: IsoDate | null): GrowthInputs {
  const byYear = fiscalYearRows(rows, asOf);
  const last = Math.max(...byYear.keys());
  const rate = (field: GrowthField): Ratio | null => {
    if (!Number.isFinite(last)) return null;
    return fiscalCagr(byYear, field, last, 3) ?? fiscalCagr(byYear, field, last, 2);
  };
  return {
    revenue_cagr: rate("revenue"),
    earnings_cagr: rate("net_income"),
    fcf_cagr: rate("free_cash_flow"),
  };
}

/** Horizon codes "1Y"/"3A" as whole years; month codes are ignored. */
export function horizonYears(horizons: readonly string[]): number[] {
  const years = new Set<number>();
  for (const h of horizons) {
    const m = /^(\d+)\s*[YA]$/i.exec(h.trim());
    if (m && Number(m[1]) >= 1) years.add(Number(m[1]));
  }
  return [...years].sort((a, b) => a - b);
}

/** Growth inputs (decimal per year) plus the maturity-aware growth status, from FY rows ≤ asOf. */
export function fundamentalsGrowth(
  rows: readonly FinancialRow[],
  options: {
    maturity: MaturityClass;
    profile?: IndustryProfile | null;
    asOf?: IsoDate | null;
  },
): FundamentalsGrowth {
  const profile = options.profile ?? DEFAULT_INDUSTRY_PROFILE;
  const inputs = growthInputs(rows, options.asOf);
  const byYear = fiscalYearRows(rows, options.asOf);
  const last = Math.max(...byYear.keys());
  const dominant = horizonYears(profile.dominant_horizons);
  const checked = [...new Set([...dominant, 1, 3, 5])].sort((a, b) => a - b);
  const windows = new Map<number, Ratio>();
  if (Number.isFinite(last)) {
    for (const n of checked) {
      const w = fiscalCagr(byYear, "revenue", last, n);
      if (w !== null) windows.set(n, w);
    }
  }
  const status = growthStatus(windows, dominant, options.maturity, profile);
  return { ...inputs, ...status };
}

type StatusPart = Pick<FundamentalsGrowth, "status" | "confidence" | "reasons" | "coverage">;

function growthStatus(
  windows: ReadonlyMap<number, Ratio>,
  dominant: readonly number[],
  maturity: MaturityClass,
  profile: IndustryProfile,
): StatusPart {
  if (maturity === "early") {
    const valid = [...windows].filter(([n]) => n >= profile.structural_horizon_min_years);
    const coverage = { valid_windows: valid.length, required_windows: 1 };
    if (valid.length === 0) {
      return {
        status: "pending",
        confidence: "low",
        reasons: ["Insufficient history for structural horizon"],
        coverage,
      };
    }
    const rates = valid.sort((a, b) => a[0] - b[0]).map(([, r]) => r);
    const inconsistent = rates[0]! < 0 || !sameSign(rates);
    return {
      status: inconsistent ? "inconsistent_growth" : "emerging_growth",
      confidence: "low",
      reasons: [inconsistent ? "Early-stage growth with mixed direction" : "Early-stage growth"],
      coverage,
    };
  }

  if (maturity === "developing") {
    const valid = [...windows].filter(([n]) => dominant.includes(n)).sort((a, b) => a[0] - b[0]);
    const coverage = { valid_windows: valid.length, required_windows: 2 };
    if (valid.length < 2) {
      return {
        status: "pending",
        confidence: "medium",
        reasons: ["Fewer than 2 dominant-horizon growth windows"],
        coverage,
      };
    }
    const rates = valid.map(([, r]) => r);
    const short = rates[0]!;
    const long = rates[rates.length - 1]!;
    let status: GrowthStatus;
    if (!sameSign(rates)) status = "volatile_growth";
    else if (Math.max(...rates) - Math.min(...rates) < 0.1) status = "stable_growth";
    else if (short > 1.1 * long) status = "improving_growth";
    else if (short < 0.9 * long) status = "volatile_growth";
    else status = "stable_growth";
    return { status, confidence: "medium", reasons: [], coverage };
  }

  const dominantWindows = [...windows].filter(([n]) => dominant.includes(n));
  const longWindows = [...windows].filter(([n]) => n >= 5);
  const valid = (dominantWindows.length > 0 ? 1 : 0) + (longWindows.length > 0 ? 1 : 0);
  const coverage = { valid_windows: valid, required_windows: 2 };
  if (valid < 2) {
    return {
      status: "pending",
      confidence: "medium",
      reasons: ["Established company without both a dominant and a 5-year growth window"],
      coverage,
    };
  }
  const used = new Map([...dominantWindows, ...longWindows]);
  const avg = [...used.values()].reduce((a, b) => a + b, 0) / used.size;
  const status: GrowthStatus =
    avg > 0.15 ? "strong_growth" : avg > 0.05 ? "moderate_growth" : "weak_growth";
  return { status, confidence: "high", reasons: [], coverage };
}

function sameSign(rates: readonly number[]): boolean {
  return rates.every((r) => r >= 0) || rates.every((r) => r < 0);
}
