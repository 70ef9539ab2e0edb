/**
 * The registry: every asset of Fintra's daily graph, one file each, named
 * after its table. The graph is validated when this module loads: a
 * duplicate key, an unknown dep or a cycle stops the process here.
 */

import type { AssetDefinition } from "../runtime/define.ts";
import { AssetGraph } from "../runtime/graph.ts";
import industryBenchmarks from "./aggregates/industry_benchmarks.ts";
import industryPe from "./aggregates/industry_pe.ts";
import industryStats from "./aggregates/industry_stats.ts";
import sectorBenchmarks from "./aggregates/sector_benchmarks.ts";
import sectorPe from "./aggregates/sector_pe.ts";
import sectorStats from "./aggregates/sector_stats.ts";
import assetIndustryMap from "./asset_industry_map.ts";
import companyProfiles from "./company_profiles.ts";
import datosEod from "./datos_eod.ts";
import datosValuacion from "./datos_valuacion.ts";
import datosValuacionTtm from "./datos_valuacion_ttm.ts";
import financialScores from "./financial_scores.ts";
import fintraUniverse from "./fintra_universe.ts";
import industryClassification from "./industry_classification.ts";
import marketState from "./market_state.ts";
import datosPerformance from "./performance/datos_performance.ts";
import industryPerformance from "./performance/industry_performance.ts";
import performanceWindows from "./performance/performance_windows.ts";
import sectorPerformance from "./performance/sector_performance.ts";
import fintraSecEventSignals from "./sec/fintra_sec_event_signals.ts";
import fintraSecStructuralSignals from "./sec/fintra_sec_structural_signals.ts";
import fintraSnapshots from "./snapshot/fintra_snapshots.ts";
import datosDividendos from "./statements/datos_dividendos.ts";
import datosFinancieros from "./statements/datos_financieros.ts";
import stockPeers from "./stock_peers.ts";

export const assets: AssetDefinition[] = [
  fintraUniverse,
  companyProfiles,
  industryClassification,
  assetIndustryMap,
  datosEod,
  datosFinancieros,
  datosDividendos,
  datosValuacion,
  financialScores,
  stockPeers,
  datosValuacionTtm,
  datosPerformance,
  sectorPerformance,
  industryPerformance,
  performanceWindows,
  sectorPe,
  industryPe,
  sectorBenchmarks,
  sectorStats,
  industryStats,
  industryBenchmarks,
  fintraSnapshots,
  marketState,
  fintraSecEventSignals,
  fintraSecStructuralSignals,
];

export const graph = new AssetGraph(assets);
