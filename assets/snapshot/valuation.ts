/**
 * Valuation against the sector (spec/engines.md §4) and market position (§15). Both read
 * the latest datos_valuacion_ttm row valued and filed by D: the quarter-end multiples the
 * sector benchmarks are built from, so a company is compared with a distribution of its own
 * kind. Never datos_valuacion, whose TTM copy exists only for the day FMP was read.
 */
import type { BenchmarkMap } from "../../engines/benchmarks.ts";
import { daysBefore } from "../../engines/dates.ts";
import type { IndustryProfile } from "../../engines/fundamentals-growth.ts";
import { calculateMarketPosition } from "../../engines/market-position.ts";
import {
  buildValuationState,
  type ValuationMetrics,
  valuationSnapshot,
} from "../../engines/valuation.ts";
import { VALUATION_STALE_DAYS } from "../staleness.ts";
import type { Fundamentals } from "./fgos.ts";
import { type KnownOnDay, latestBy } from "./point-in-time.ts";
import type { TtmValuationInput } from "./types.ts";

export type ValuationOnDay = ReturnType<typeof valuationOn>;

/** The row valued (within VALUATION_STALE_DAYS), its three multiples and the valuation column. */
export function valuationOn(
  known: Pick<KnownOnDay, "valuations">,
  day: string,
  benchmarks: BenchmarkMap | null,
  fundamentals: Pick<Fundamentals, "maturity">,
  industryProfile: IndustryProfile,
) {
  const oldest = daysBefore(day, VALUATION_STALE_DAYS);
  const row = latestBy(
    known.valuations.filter((v) => v.valuation_date >= oldest),
    (v) => v.valuation_date,
  );
  const multiples: ValuationMetrics = {
    pe_ratio: row?.pe_ratio ?? null,
    ev_ebitda: row?.ev_ebitda ?? null,
    price_to_fcf: row?.price_to_fcf ?? null,
  };
  const state = buildValuationState(multiples, benchmarks, {
    fgos_maturity: fundamentals.maturity.fgos_maturity,
    dominant_horizons: industryProfile.dominant_horizons,
  });
  const column = {
    ...valuationSnapshot(multiples, state),
    price_to_sales: row?.price_to_sales ?? null,
    valuation_date: row?.valuation_date ?? null,
    source: row ? "datos_valuacion_ttm" : null,
  };
  return { row, multiples, column };
}

/** Market position in the sector: the valued market cap, the scored row's ROIC and margin. */
export function marketPositionOf(
  sector: string | null,
  valuationRow: TtmValuationInput | null,
  fundamentals: Fundamentals,
  benchmarks: BenchmarkMap | null,
) {
  const { scored, growth } = fundamentals;
  return calculateMarketPosition(
    {
      sector,
      market_cap: valuationRow?.market_cap ?? null,
      roic: scored?.roic ?? null,
      operating_margin: scored?.operating_margin ?? null,
      revenue_growth: growth.revenue_cagr,
    },
    benchmarks,
  );
}
