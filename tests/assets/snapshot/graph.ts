/**
 * The real daily graph up to fintra_snapshots and market_state on the sandbox market, with
 * a sparse year of prices: `backfill` of fintra_universe and datos_eod over the last two
 * weeks before D and a few days before each window start (1M, 3M, 6M, YTD, 1Y, 3Y) and
 * quarter end the TTM valuations and sentiment read. Every window then has its start
 * close within tolerance, at a fraction of the time a whole year of dates takes.
 */
import { expect } from "vitest";
import sectorBenchmarks from "../../../assets/aggregates/sector_benchmarks.ts";
import sectorPe from "../../../assets/aggregates/sector_pe.ts";
import assetIndustryMap from "../../../assets/asset_industry_map.ts";
import companyProfiles from "../../../assets/company_profiles.ts";
import datosEod from "../../../assets/datos_eod.ts";
import datosValuacion from "../../../assets/datos_valuacion.ts";
import datosValuacionTtm from "../../../assets/datos_valuacion_ttm.ts";
import financialScores from "../../../assets/financial_scores.ts";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import industryClassification from "../../../assets/industry_classification.ts";
import marketState from "../../../assets/market_state.ts";
import datosPerformance from "../../../assets/performance/datos_performance.ts";
import industryPerformance from "../../../assets/performance/industry_performance.ts";
import sectorPerformance from "../../../assets/performance/sector_performance.ts";
import fintraSnapshots from "../../../assets/snapshot/fintra_snapshots.ts";
import datosDividendos from "../../../assets/statements/datos_dividendos.ts";
import datosFinancieros from "../../../assets/statements/datos_financieros.ts";
import type { Store } from "../../../db/index.ts";
import { backfill } from "../../../runtime/backfill.ts";
import type { AssetDefinition } from "../../../runtime/define.ts";
import { AssetGraph } from "../../../runtime/graph.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { marketResources, runAssets, type TestMarket } from "../../helpers/sandbox.ts";

export const DAY = "2026-11-27";

export const ASSETS: AssetDefinition[] = [
  fintraUniverse,
  companyProfiles,
  industryClassification,
  assetIndustryMap,
  datosEod,
  datosFinancieros,
  datosValuacion,
  datosValuacionTtm,
  financialScores,
  datosDividendos,
  datosPerformance,
  sectorPerformance,
  industryPerformance,
  sectorPe,
  sectorBenchmarks,
  fintraSnapshots,
  marketState,
];

/** Price ranges (inclusive) backfilled before D's run. */
export const PRICE_RANGES: [string, string][] = [
  ["2026-11-13", DAY], // D, the previous close, 1D and 1W
  ["2026-10-21", "2026-10-27"], // 1M
  ["2026-09-22", "2026-09-30"], // quarter end (valuation)
  ["2026-08-21", "2026-08-27"], // 3M
  ["2026-06-22", "2026-06-30"], // quarter end
  ["2026-05-20", "2026-05-27"], // 6M
  ["2025-12-23", "2025-12-31"], // YTD and a quarter end
  ["2025-11-20", "2025-11-27"], // 1Y
  ["2025-09-22", "2025-09-30"], // quarter end (sentiment one year back)
  ["2023-11-20", "2023-11-27"], // 3Y
];

/**
 * The market's evening, one second later at each reading, so every run stamps rows with a
 * time of its own (a scoped rerun is then visible in updated_at).
 */
export function tickingResources(store: Store, market: TestMarket): Resources {
  const base = marketResources(store, market);
  const start = base.now().getTime();
  let tick = 0;
  return { ...base, now: () => new Date(start + 1000 * tick++) };
}

/** Backfills the sparse price history, then materializes every asset for D. */
export async function buildDay(resources: Resources): Promise<void> {
  const graph = new AssetGraph(ASSETS);
  for (const [from, to] of PRICE_RANGES) {
    const summary = await backfill(graph, "fintra_universe,datos_eod", resources, { from, to });
    expect(summary.exitCode, `${from}..${to}`).toBe(0);
  }
  const summary = await runAssets(ASSETS, "*", resources, { partition: DAY });
  expect(summary.outcomes.filter((o) => o.status !== "succeeded" && o.status !== "fresh")).toEqual(
    [],
  );
}
