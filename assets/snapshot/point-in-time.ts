/**
 * What the builder may know of a ticker on D. inputs.ts already bounds its reads by D; the
 * builder drops anything dated or filed after D again, so a row never depends on how
 * carefully it was read. Also the ticker's classification on D and two date helpers.
 */
import { daysBefore } from "../../engines/dates.ts";
import type { FinancialScoresRow } from "../financial_scores.ts";
import { FINANCIALS_STALE_DAYS } from "../staleness.ts";
import type { DividendsRow } from "../statements/datos_dividendos.ts";
import type {
  Classification,
  FinancialInput,
  PricePoint,
  TickerInputs,
  TtmValuationInput,
} from "./types.ts";

/** The newest of some ISO dates (nulls ignored), or null. */
export function newest(dates: readonly (string | null | undefined)[]): string | null {
  let out: string | null = null;
  for (const d of dates) if (d && (out === null || d > out)) out = d;
  return out;
}

/** The row with the greatest `date(row)` (the first of a tie), or null. */
export function latestBy<T>(rows: readonly T[], date: (row: T) => string): T | null {
  let best: T | null = null;
  for (const row of rows) if (best === null || date(row) > date(best)) best = row;
  return best;
}

/** A ticker's rows known on D. */
export interface KnownOnDay {
  fiscalYears: FinancialInput[];
  /** TTM or FY rows FGOS may score: ended within FINANCIALS_STALE_DAYS, like the benchmarks. */
  scorable: FinancialInput[];
  valuations: TtmValuationInput[];
  scores: FinancialScoresRow[];
  dividends: DividendsRow[];
  performance: TickerInputs["performance"][number][];
  prices: PricePoint[];
}

/** Only what was known on D: rows dated after D or filed after D are dropped. */
export function pointInTime(input: TickerInputs, day: string): KnownOnDay {
  const financials = input.financials.filter(
    (r) => r.period_end_date <= day && r.filing_date <= day,
  );
  const oldestScorable = daysBefore(day, FINANCIALS_STALE_DAYS);
  return {
    fiscalYears: financials.filter((r) => r.period_type === "FY"),
    scorable: financials.filter(
      (r) =>
        (r.period_type === "TTM" || r.period_type === "FY") && r.period_end_date >= oldestScorable,
    ),
    valuations: input.valuations.filter((r) => r.valuation_date <= day && r.filing_date <= day),
    scores: input.scores.filter((r) => r.score_date === day),
    dividends: input.dividends.filter(
      (r) => r.filing_date <= day && (r.fiscal_year_end_date ?? "") <= day,
    ),
    performance: input.performance.filter((r) => r.performance_date === day),
    prices: input.prices.filter((p) => p.price_date <= day),
  };
}

/** The ticker's sector and industry on D, and where they came from. */
export function resolveClassification(
  membership: TickerInputs["membership"],
  profile: TickerInputs["profile"],
): Classification {
  if (membership) {
    return {
      status: "full",
      sector: membership.sector,
      industry: membership.industry,
      source: "canonical",
    };
  }
  const sector = profile?.sector?.trim() || null;
  const industry = profile?.industry?.trim() || null;
  if (!sector && !industry)
    return { status: "missing", sector: null, industry: null, source: null };
  return {
    status: sector && industry ? "full" : "partial",
    sector,
    industry,
    source: "profile_fallback",
  };
}
