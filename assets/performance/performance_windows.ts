/**
 * performance_windows: each equity's return against its sector, its industry and the market
 * (SPY), per window, on trading date D: the table the UI's alpha charts read.
 *
 * - Members: equities with an industry on D and datos_performance rows on D (membership.ts); a
 *   scope narrows them.
 * - Windows: the engines' PERFORMANCE_WINDOWS (1M to 5Y). 1D, 1W and YTD are left out: their
 *   alpha is a subtraction of rows already stored, and they would grow the day by 3/7 for no
 *   reader.
 * - Benchmarks are D's rows only, the ticker counted among its group's constituents. A row
 *   needs both returns; missing benchmarks are counted per type.
 * - `benchmark_type` in the key: a sector and an industry of the same name never collide, and
 *   market rows exist (the old table had neither).
 * - Rows are staged per range of tickers and published in one transaction that deletes the
 *   rows of D (a scoped run: of its tickers) the run did not produce. A scoped run reads the
 *   stored aggregates as they are.
 */
import { defineTable, type Store } from "../../db/index.ts";
import { PERFORMANCE_WINDOWS } from "../../engines/relative-performance.ts";
import {
  ALL_TICKERS,
  perStep,
  type TickerRange,
  tickerCondition,
  tickerRanges,
} from "../../runtime/chunks.ts";
import { type AssetContext, defineAsset } from "../../runtime/define.ts";
import { stageRows } from "../../runtime/staged.ts";
import { MARKET_BENCHMARK, universeTickers } from "../fintra_universe.ts";
import { datosPerformanceTable } from "./datos_performance.ts";
import { industryPerformanceTable } from "./industry_performance.ts";
import { type Membership, membershipsOn } from "./membership.ts";
import { sectorPerformanceTable } from "./sector_performance.ts";
import { stageChunks } from "./staged-chunks.ts";

type BenchmarkType = "sector" | "industry" | "market";
const BENCHMARK_TYPES: readonly BenchmarkType[] = ["sector", "industry", "market"];

export interface PerformanceWindowRow {
  ticker: string;
  benchmark_type: BenchmarkType;
  benchmark_ticker: string;
  window_code: string;
  asset_return: number;
  benchmark_return: number;
  alpha: number;
  volatility: number | null;
  max_drawdown: number | null;
  as_of_date: string;
  source: string;
}

export const performanceWindowsTable = defineTable<PerformanceWindowRow>({
  name: "performance_windows",
  key: ["as_of_date", "ticker", "benchmark_type", "benchmark_ticker", "window_code"],
  columns: {
    ticker: "text",
    benchmark_type: "text",
    benchmark_ticker: "text",
    window_code: "text",
    asset_return: "numeric",
    benchmark_return: "numeric",
    alpha: "numeric",
    volatility: "numeric",
    max_drawdown: "numeric",
    as_of_date: "date",
    source: "text",
  },
});

/**
 * Member tickers per step at the full market's scale (45,000 tickers: 23 steps; each ticker
 * brings 7 windows × 3 benchmarks = up to 21 rows). A run uses
 * `perStep(ctx, PERFORMANCE_WINDOWS_CHUNK_TICKERS)`, which `Resources.stepScale` shrinks.
 */
const PERFORMANCE_WINDOWS_CHUNK_TICKERS = 2_000;

const RELATIVE_SOURCE = "aggregated_from_datos_performance";

/** The windows compared against benchmarks. */
const RELATIVE_WINDOWS: readonly string[] = PERFORMANCE_WINDOWS;

/** A ticker's own numbers for one window. */
interface AssetWindow {
  return_percent: number;
  volatility: number | null;
  max_drawdown: number | null;
}

/** Benchmark returns on D: per sector and per industry name, then per window; the market per window. */
export interface BenchmarkReturns {
  sector: ReadonlyMap<string, ReadonlyMap<string, number>>;
  industry: ReadonlyMap<string, ReadonlyMap<string, number>>;
  market: ReadonlyMap<string, number>;
}

interface RelativeRows {
  rows: PerformanceWindowRow[];
  /** Windows the ticker has but a benchmark lacks, per benchmark type. */
  missing: Record<BenchmarkType, number>;
}

/** One ticker's rows: each window it has, against each benchmark that has the window. */
export function relativeRows(
  ticker: string,
  day: string,
  membership: Membership,
  own: ReadonlyMap<string, AssetWindow>,
  benchmarks: BenchmarkReturns,
): RelativeRows {
  const rows: PerformanceWindowRow[] = [];
  const missing: Record<BenchmarkType, number> = { sector: 0, industry: 0, market: 0 };
  const named: Record<BenchmarkType, [string, ReadonlyMap<string, number> | undefined]> = {
    sector: [membership.sector, benchmarks.sector.get(membership.sector)],
    industry: [membership.industry, benchmarks.industry.get(membership.industry)],
    market: [MARKET_BENCHMARK, benchmarks.market],
  };
  for (const window of RELATIVE_WINDOWS) {
    const asset = own.get(window);
    if (!asset) continue;
    for (const type of BENCHMARK_TYPES) {
      const [name, returns] = named[type];
      const benchmark = returns?.get(window);
      if (benchmark === undefined) {
        missing[type] += 1;
        continue;
      }
      rows.push({
        ticker,
        benchmark_type: type,
        benchmark_ticker: name,
        window_code: window,
        asset_return: asset.return_percent,
        benchmark_return: benchmark,
        alpha: asset.return_percent - benchmark,
        volatility: asset.volatility,
        max_drawdown: asset.max_drawdown,
        as_of_date: day,
        source: RELATIVE_SOURCE,
      });
    }
  }
  return { rows, missing };
}

function byGroupAndWindow(
  rows: readonly { group: string; window_code: string; return_percent: number }[],
): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const windows = out.get(r.group) ?? new Map<string, number>();
    windows.set(r.window_code, r.return_percent);
    out.set(r.group, windows);
  }
  return out;
}

/**
 * The day's stored sector, industry and market (SPY) returns; only those of `members`'
 * sectors and industries when given (a scoped run reads its tickers' groups, not the day's).
 */
async function benchmarksOn(
  db: Store,
  day: string,
  members?: Iterable<Membership>,
): Promise<BenchmarkReturns> {
  const groups = members ? [...members] : null;
  if (groups?.length === 0) {
    const none = new Map<string, Map<string, number>>();
    return { sector: none, industry: none, market: await marketReturnsOn(db, day) };
  }
  const sectors = await db.readAll(sectorPerformanceTable, {
    where: {
      performance_date: day,
      ...(groups ? { sector: { in: [...new Set(groups.map((m) => m.sector))] } } : {}),
    },
    columns: ["sector", "window_code", "return_percent"],
  });
  const industries = await db.readAll(industryPerformanceTable, {
    where: {
      performance_date: day,
      ...(groups ? { industry: { in: [...new Set(groups.map((m) => m.industry))] } } : {}),
    },
    columns: ["industry", "window_code", "return_percent"],
  });
  return {
    sector: byGroupAndWindow(sectors.map((s) => ({ ...s, group: s.sector }))),
    industry: byGroupAndWindow(industries.map((i) => ({ ...i, group: i.industry }))),
    market: await marketReturnsOn(db, day),
  };
}

/** The market benchmark's (SPY's) return per window on `day`. */
async function marketReturnsOn(db: Store, day: string): Promise<Map<string, number>> {
  const market = await db.readAll(datosPerformanceTable, {
    where: { performance_date: day, ticker: MARKET_BENCHMARK },
    columns: ["window_code", "return_percent"],
  });
  return new Map(market.map((m) => [m.window_code, m.return_percent]));
}

/** The run's equities when scoped (its tickers, or the first N active equities); null for a full run. */
async function scopedTickers(ctx: AssetContext): Promise<string[] | null> {
  return ctx.scope ? universeTickers(ctx, { equitiesOnly: true }) : null;
}

interface ChunkCounts {
  members: number;
  tickersWithRows: number;
  written: number;
  rowsByType: Record<BenchmarkType, number>;
  missingBenchmark: Record<BenchmarkType, number>;
}

/** Computes and stages one range of member tickers; returns counts only. */
async function compareRange(
  ctx: AssetContext,
  day: string,
  range: TickerRange,
  scoped: string[] | null,
): Promise<ChunkCounts> {
  const tickers = tickerCondition(range, scoped);
  const members = await membershipsOn(ctx.db, day, tickers);
  const benchmarks = await benchmarksOn(ctx.db, day, scoped ? members.values() : undefined);
  const own = new Map<string, Map<string, AssetWindow>>();
  for await (const page of ctx.db.read(datosPerformanceTable, {
    where: { performance_date: day, ticker: tickers, window_code: { in: RELATIVE_WINDOWS } },
    columns: ["ticker", "window_code", "return_percent", "volatility", "max_drawdown"],
    pageSize: 200_000,
  })) {
    for (const r of page) {
      const windows = own.get(r.ticker) ?? new Map<string, AssetWindow>();
      windows.set(r.window_code, r);
      own.set(r.ticker, windows);
    }
  }
  const rows: PerformanceWindowRow[] = [];
  const counts: ChunkCounts = {
    members: members.size,
    tickersWithRows: 0,
    written: 0,
    rowsByType: { sector: 0, industry: 0, market: 0 },
    missingBenchmark: { sector: 0, industry: 0, market: 0 },
  };
  for (const [ticker, membership] of members) {
    const windows = own.get(ticker);
    if (!windows) continue;
    const result = relativeRows(ticker, day, membership, windows, benchmarks);
    if (result.rows.length > 0) counts.tickersWithRows += 1;
    for (const type of BENCHMARK_TYPES) counts.missingBenchmark[type] += result.missing[type];
    for (const row of result.rows) {
      counts.rowsByType[row.benchmark_type] += 1;
      rows.push(row);
    }
  }
  counts.written = await stageRows(ctx, performanceWindowsTable, rows);
  return counts;
}

function addCounts(total: ChunkCounts, part: ChunkCounts): ChunkCounts {
  const sum = (a: Record<BenchmarkType, number>, b: Record<BenchmarkType, number>) => ({
    sector: a.sector + b.sector,
    industry: a.industry + b.industry,
    market: a.market + b.market,
  });
  return {
    members: total.members + part.members,
    tickersWithRows: total.tickersWithRows + part.tickersWithRows,
    written: total.written + part.written,
    rowsByType: sum(total.rowsByType, part.rowsByType),
    missingBenchmark: sum(total.missingBenchmark, part.missingBenchmark),
  };
}

/** Relative tolerance of the alpha check (numeric round trips are exact; this absorbs nothing else). */
const ALPHA_TOLERANCE = 1e-9;

interface AlphaProblems {
  checked: number;
  wrong: number;
  samples: { ticker: string; benchmark: string; window: string }[];
}

/** The alpha check over the day's rows (or `tickers`' rows) read through the Store. */
export async function alphaProblemsByPages(
  db: Store,
  day: string,
  tickers: readonly string[] | undefined,
): Promise<AlphaProblems> {
  let checked = 0;
  let wrong = 0;
  const samples: AlphaProblems["samples"] = [];
  for await (const page of db.read(performanceWindowsTable, {
    where: { as_of_date: day, ...(tickers ? { ticker: { in: tickers } } : {}) },
    columns: ["asset_return", "benchmark_return", "alpha"],
    pageSize: 50_000,
  })) {
    for (const r of page) {
      checked += 1;
      const expected = r.asset_return - r.benchmark_return;
      const scale = Math.max(1, Math.abs(r.asset_return), Math.abs(r.benchmark_return));
      if (!(Math.abs(r.alpha - expected) <= ALPHA_TOLERANCE * scale)) {
        wrong += 1;
        if (samples.length < 5)
          samples.push({ ticker: r.ticker, benchmark: r.benchmark_ticker, window: r.window_code });
      }
    }
  }
  return { checked, wrong, samples };
}

/** A SQL string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The alpha check counted by the database (the day is ~20 rows per member: reading them
 * back was most of the check's time). The stored numerics are the doubles the asset wrote,
 * so their exact difference is within an ulp of the JS one: far inside the tolerance.
 */
export async function alphaProblemsBySql(
  db: Store,
  day: string,
  tickers: readonly string[] | undefined,
): Promise<AlphaProblems> {
  const scope = tickers
    ? ` AND ticker = ANY(ARRAY[${tickers.map(literal).join(", ")}]::text[])`
    : "";
  const bad = `NOT (abs(alpha - (asset_return - benchmark_return)) <=
    ${ALPHA_TOLERANCE} * greatest(1, abs(asset_return), abs(benchmark_return)))`;
  const [row] = await db.readOnlyQuery(
    `SELECT count(*)::int AS checked, (count(*) FILTER (WHERE ${bad}))::int AS wrong,
       (array_agg(json_build_object('ticker', ticker, 'benchmark', benchmark_ticker,
          'window', window_code)::text ORDER BY ticker, benchmark_type, benchmark_ticker,
          window_code) FILTER (WHERE ${bad}))[1:5] AS samples
     FROM performance_windows WHERE as_of_date = DATE ${literal(day)}${scope}`,
  );
  const samples = ((row?.samples as string[] | null) ?? []).map(
    (text) => JSON.parse(text) as AlphaProblems["samples"][number],
  );
  return { checked: Number(row?.checked ?? 0), wrong: Number(row?.wrong ?? 0), samples };
}

export default defineAsset({
  key: "performance_windows",
  description: "Per equity and window: return vs its sector, its industry and the market (SPY)",
  deps: [
    "datos_performance",
    "sector_performance",
    "industry_performance",
    "asset_industry_map",
    "industry_classification",
  ],
  partitioned: true,
  tables: [performanceWindowsTable],
  checks: [
    {
      name: "alpha_is_difference",
      severity: "error",
      description: "every row of the day has alpha = asset_return - benchmark_return",
      async run({ db, partition, scope }) {
        const { checked, wrong, samples } =
          db.dialect === "supabase"
            ? await alphaProblemsByPages(db, partition, scope?.tickers)
            : await alphaProblemsBySql(db, partition, scope?.tickers);
        return {
          passed: wrong === 0,
          value: wrong,
          message:
            wrong === 0
              ? `${checked} rows, alpha = asset - benchmark`
              : `${wrong} of ${checked} rows with a wrong alpha, e.g. ${JSON.stringify(samples[0])}`,
          metadata: { samples },
        };
      },
    },
    {
      name: "all_benchmark_types",
      severity: "warn",
      description: "a full run writes sector, industry and market rows",
      async run({ result, scope }) {
        if (scope) return { passed: true, message: "scoped run: not applied" };
        const byType = (result.metadata?.rowsByType ?? {}) as Partial<
          Record<BenchmarkType, number>
        >;
        const absent = BENCHMARK_TYPES.filter((t) => !(Number(byType[t] ?? 0) > 0));
        return {
          passed: absent.length === 0,
          value: absent.length,
          message:
            absent.length === 0
              ? `rows by benchmark: ${JSON.stringify(byType)}`
              : `no ${absent.join(", ")} rows on ${result.metadata?.day}`,
        };
      },
    },
  ],
  async materialize(ctx) {
    const day = ctx.partition;
    const chunkSize = perStep(ctx, PERFORMANCE_WINDOWS_CHUNK_TICKERS);
    const plan = await ctx.step("plan-chunks", async () => {
      const scoped = await scopedTickers(ctx);
      const members = await membershipsOn(ctx.db, day, tickerCondition(ALL_TICKERS, scoped));
      // Map order is the Store's (asset_industry_map's key order), which the ranges need.
      const tickers = [...members.keys()];
      return {
        ranges: scoped ? [ALL_TICKERS] : tickerRanges(tickers, chunkSize),
        members: tickers.length,
      };
    });
    const { totals, pruned } = await stageChunks(ctx, {
      chunks: plan.ranges,
      scopedTickers,
      stage: (range, scoped) => compareRange(ctx, day, range, scoped),
      add: addCounts,
      table: performanceWindowsTable,
      dayColumn: "as_of_date",
    });
    return {
      rows: totals?.written ?? 0,
      metadata: {
        day,
        members: plan.members,
        tickersWithRows: totals?.tickersWithRows ?? 0,
        rowsByType: totals?.rowsByType ?? {},
        missingBenchmark: totals?.missingBenchmark ?? {},
        pruned,
        windows: RELATIVE_WINDOWS,
        chunks: plan.ranges.length,
        chunkSize,
      },
    };
  },
});
