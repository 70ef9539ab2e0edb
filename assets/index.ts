/**
 * The registry: every asset of Fintra's daily graph, one file each, named
 * after its table. The graph is validated when this module loads: a
 * duplicate key, an unknown dep or a cycle stops the process here.
 */
import assetIndustryMap from "./asset_industry_map.ts";
import companyProfiles from "./company_profiles.ts";
import datosDividendos from "./datos_dividendos.ts";
import datosEod from "./datos_eod.ts";
import datosFinancieros from "./datos_financieros.ts";
import datosPerformance from "./datos_performance.ts";
import datosValuacion from "./datos_valuacion.ts";
import datosValuacionTtm from "./datos_valuacion_ttm.ts";
import type { AssetDefinition } from "./define.ts";
import financialScores from "./financial_scores.ts";
import fintraSecEventSignals from "./fintra_sec_event_signals.ts";
import fintraSecStructuralSignals from "./fintra_sec_structural_signals.ts";
import fintraSnapshots from "./fintra_snapshots.ts";
import fintraUniverse from "./fintra_universe.ts";
import { AssetGraph } from "./graph.ts";
import industryBenchmarks from "./industry_benchmarks.ts";
import industryClassification from "./industry_classification.ts";
import industryPe from "./industry_pe.ts";
import industryPerformance from "./industry_performance.ts";
import industryStats from "./industry_stats.ts";
import marketState from "./market_state.ts";
import performanceWindows from "./performance_windows.ts";
import sectorBenchmarks from "./sector_benchmarks.ts";
import sectorPe from "./sector_pe.ts";
import sectorPerformance from "./sector_performance.ts";
import sectorStats from "./sector_stats.ts";
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
