/**
 * profile_structural and market_snapshot (spec/engines.md §17), from our tables only. Two
 * decisions: market cap is always shares times D's close, never FMP's figure (which exists
 * only for the day FMP was read, so a backfill would price the same day differently); and
 * the identity block is the profile's and universe's latest state (they keep no history),
 * the one part of a row a backfill cannot rebuild as it was.
 */
import { isNum } from "../../engines/math.ts";
import type { FinancialScoresRow } from "../financial_scores.ts";
import type { Fundamentals } from "./fgos.ts";
import { type KnownOnDay, latestBy } from "./point-in-time.ts";
import { type PriceMetrics, priceMetrics } from "./prices.ts";
import type { ReturnsOnDay } from "./returns.ts";
import type { Classification, DayContext, FinancialInput, TickerInputs } from "./types.ts";

/**
 * Market cap on D: the diluted weighted shares of the row FGOS scores (a TTM carries its
 * latest quarter's) times the price on D.
 */
export function marketCapOnDay(
  scored: Pick<FinancialInput, "weighted_shares_out"> | null,
  prices: Pick<PriceMetrics, "price">,
): { value: number | null; source: "shares_x_close" | null } {
  const shares = scored?.weighted_shares_out;
  if (isNum(shares) && shares > 0 && isNum(prices.price)) {
    return { value: shares * prices.price, source: "shares_x_close" };
  }
  return { value: null, source: null };
}

/** The two columns, and the price figures they were made from (input_dates reads them). */
export function marketColumns(
  input: Pick<TickerInputs, "ticker" | "universe" | "profile">,
  known: KnownOnDay,
  context: DayContext,
  parts: {
    classification: Classification;
    fundamentals: Pick<Fundamentals, "scored">;
    scores: FinancialScoresRow | null;
    returns: Pick<ReturnsOnDay, "own">;
  },
) {
  const day = context.day;
  const prices = priceMetrics(known.prices, context.marketPrices, day);
  const lastDividend = latestBy(
    known.dividends.filter((d) => isNum(d.dividend_per_share)),
    (d) => String(d.year).padStart(4, "0"),
  );
  const profileStructural = buildProfileStructural(input, {
    day,
    classification: parts.classification,
    prices,
    marketCap: marketCapOnDay(parts.fundamentals.scored, prices),
    lastDividend: lastDividend?.dividend_per_share ?? null,
    scores: parts.scores,
  });
  const marketSnapshot = {
    price: prices.price,
    ytd_percent: parts.returns.own.YTD?.return_percent ?? null,
    div_yield:
      isNum(lastDividend?.dividend_per_share) && isNum(prices.price)
        ? lastDividend.dividend_per_share / prices.price
        : null,
  };
  return {
    prices,
    columns: { profile_structural: profileStructural, market_snapshot: marketSnapshot },
  };
}

interface StructuralParts {
  day: string;
  classification: Classification;
  prices: PriceMetrics;
  marketCap: ReturnType<typeof marketCapOnDay>;
  lastDividend: number | null;
  scores: FinancialScoresRow | null;
}

/** profile_structural; `pending` without a company profile. */
function buildProfileStructural(
  input: Pick<TickerInputs, "ticker" | "universe" | "profile">,
  parts: StructuralParts,
): Record<string, unknown> {
  const metrics = structuralMetrics(parts);
  const classification = {
    sector: parts.classification.sector,
    industry: parts.classification.industry,
  };
  const financialScores = structuralScores(parts.scores);
  if (!input.profile) {
    return {
      status: "pending",
      computed: false,
      reason: "no company profile",
      source: "bulk",
      last_updated: parts.day,
      metrics,
      classification,
      financial_scores: financialScores,
    };
  }
  return {
    status: "computed",
    source: "bulk",
    last_updated: parts.day,
    identity: identity(input, input.profile, parts.prices),
    metrics,
    classification,
    financial_scores: financialScores,
  };
}

function structuralMetrics({ prices, marketCap, lastDividend }: StructuralParts) {
  return {
    marketCap: marketCap.value,
    marketCapSource: marketCap.source,
    price: prices.price,
    priceDate: prices.priceDate,
    previousClose: prices.previousClose,
    change: prices.change,
    changePercentage: prices.changePercentage,
    beta: prices.beta,
    lastDividend,
    volume: prices.volume,
    averageVolume: prices.averageVolume,
    range: prices.range,
  };
}

function structuralScores(scores: FinancialScoresRow | null) {
  if (!scores) return null;
  return {
    altman_z: scores.altman_z,
    piotroski_score: scores.piotroski_score,
    inputs_period_label: scores.inputs_period_label,
    marketCap: scores.market_cap,
    revenue: scores.revenue,
    total_assets: scores.total_assets,
    total_liabilities: scores.total_liabilities,
    working_capital: scores.working_capital,
    ebit: scores.ebit,
    retainedEarnings: scores.retained_earnings,
    score_date: scores.score_date,
  };
}

/** Who the company is, from the profile and the universe as they are now. */
function identity(
  input: Pick<TickerInputs, "ticker" | "universe">,
  profile: NonNullable<TickerInputs["profile"]>,
  prices: PriceMetrics,
) {
  const { universe } = input;
  return {
    name: profile.company_name ?? universe?.name ?? null,
    ticker: input.ticker,
    exchange: universe?.exchange_short ?? profile.exchange ?? null,
    exchangeFullName: universe?.exchange ?? null,
    country: profile.country ?? universe?.country ?? null,
    currency: profile.currency ?? universe?.currency ?? null,
    website: profile.website,
    ceo: profile.ceo,
    fullTimeEmployees: profile.employees,
    founded: profile.ipo_date,
    isEtf: universe?.is_etf ?? null,
    isAdr: universe?.is_adr ?? null,
    isActivelyTrading: prices.priceDate !== null,
  };
}
