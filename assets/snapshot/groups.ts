/**
 * The ticker's sector and industry as of D: the sector's benchmarks (what FGOS, valuation
 * and market position compare against) and the three group columns of the row
 * (spec/engines.md §17), each from the group's newest rows on or before D, with a status
 * saying whether D's own rows were there.
 */
import { type BenchmarkMap, benchmarksAsOf } from "../../engines/benchmarks.ts";
import { daysBefore } from "../../engines/dates.ts";
import { isNum } from "../../engines/math.ts";
import { latestReturnsByWindow } from "../../engines/relative-performance.ts";
import type { SectorPeRow } from "../aggregates/sector_pe.ts";
import type { IndustryPerformanceRow } from "../performance/industry_performance.ts";
import type { SectorPerformanceRow } from "../performance/sector_performance.ts";
import { CONTEXT_STALE_DAYS, SECTOR_PE_STALE_DAYS } from "../staleness.ts";
import { latestBy, newest } from "./point-in-time.ts";
import type { BuiltSnapshot, Classification, DayContext } from "./types.ts";

/** The sector block's windows (spec/engines.md §17). */
const SECTOR_WINDOWS = ["1D", "1W", "1M", "3M", "6M", "YTD", "1Y", "3Y", "5Y"] as const;
/** The industry block's windows (spec/engines.md §17). */
const INDUSTRY_WINDOWS = ["1D", "1W", "1M", "YTD", "1Y", "3Y", "5Y"] as const;

/** A group's performance block: windows from the group's latest date on or before D. */
export interface PerformanceBlock {
  status: "full" | "partial" | "missing";
  date: string | null;
  data: Record<string, number>;
}

/** The sector's benchmarks of its newest day on or before D (within CONTEXT_STALE_DAYS). */
interface SectorBenchmarksOnDay {
  benchmarks: BenchmarkMap | null;
  /** The day they are of (input_dates.benchmarks_date). */
  date: string | null;
}

export function sectorBenchmarksOn(
  context: DayContext,
  sector: string | null,
): SectorBenchmarksOnDay {
  const day = context.day;
  const rows = sector ? (context.benchmarks.get(sector) ?? []) : [];
  const oldest = daysBefore(day, CONTEXT_STALE_DAYS);
  const recent = rows.filter((r) => r.snapshot_date >= oldest);
  const benchmarks = sector ? benchmarksAsOf(recent, sector, day) : null;
  const date = benchmarks
    ? newest(recent.filter((r) => r.snapshot_date <= day).map((r) => r.snapshot_date))
    : null;
  return { benchmarks, date };
}

/** The sector_performance rows of the ticker's sector (none without a sector). */
export function sectorRowsOf(context: DayContext, sector: string | null) {
  return sector ? (context.sectorPerformance.get(sector) ?? []) : [];
}

/** The three group columns of the row. */
export function groupColumns(
  context: DayContext,
  { sector, industry }: Pick<Classification, "sector" | "industry">,
) {
  const day = context.day;
  return {
    sector_performance: sectorPerformanceBlock(sectorRowsOf(context, sector), day),
    industry_performance: industryPerformanceBlock(
      industry ? (context.industryPerformance.get(industry) ?? []) : [],
      day,
    ),
    sector_pe: sectorPeBlock(sector ? (context.sectorPe.get(sector) ?? []) : [], day),
  } satisfies Partial<BuiltSnapshot>;
}

/** sector_performance block: the sector's newest day ≤ D; full with all 9 windows. */
export function sectorPerformanceBlock(
  rows: readonly SectorPerformanceRow[],
  day: string,
): PerformanceBlock {
  const oldest = daysBefore(day, CONTEXT_STALE_DAYS);
  const usable = rows.filter((r) => r.performance_date <= day && r.performance_date >= oldest);
  const date = newest(usable.map((r) => r.performance_date));
  const data: Record<string, number> = {};
  for (const r of usable) {
    if (
      r.performance_date === date &&
      (SECTOR_WINDOWS as readonly string[]).includes(r.window_code)
    )
      data[r.window_code] = r.return_percent;
  }
  const n = Object.keys(data).length;
  return {
    status: n === SECTOR_WINDOWS.length ? "full" : n > 0 ? "partial" : "missing",
    date,
    data,
  };
}

/** industry_performance block: newest row ≤ D per window; full with all 7 dated D. */
export function industryPerformanceBlock(
  rows: readonly IndustryPerformanceRow[],
  day: string,
): PerformanceBlock {
  const latest = latestReturnsByWindow(
    rows.map((r) => ({ ...r, max_drawdown: null })),
    day,
    CONTEXT_STALE_DAYS,
  );
  const data: Record<string, number> = {};
  const dates: string[] = [];
  for (const w of INDUSTRY_WINDOWS) {
    const r = latest[w];
    if (!r || !isNum(r.return_percent)) continue;
    data[w] = r.return_percent;
    dates.push(r.performance_date);
  }
  const n = Object.keys(data).length;
  const allToday = dates.every((d) => d === day);
  return {
    status: n === INDUSTRY_WINDOWS.length && allToday ? "full" : n > 0 ? "partial" : "missing",
    date: newest(dates),
    data,
  };
}

/** sector_pe block: the sector's newest P/E ≤ D; full when dated D. */
export function sectorPeBlock(rows: readonly SectorPeRow[], day: string) {
  const oldest = daysBefore(day, SECTOR_PE_STALE_DAYS);
  const row = latestBy(
    rows.filter((r) => r.pe_date <= day && r.pe_date >= oldest),
    (r) => r.pe_date,
  );
  if (!row) return { status: "missing" as const, value: null, date: null, constituents: null };
  return {
    status: row.pe_date === day ? ("full" as const) : ("partial" as const),
    value: row.pe,
    date: row.pe_date,
    constituents: row.constituents,
  };
}
