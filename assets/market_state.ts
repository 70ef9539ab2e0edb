/**
 * market_state: the per-ticker cache the UI's lists read (dashboard, sector lists, peers): each
 * ticker's latest state from fintra_snapshots with the day's FGOS ranks (spec/schema.md §4.10,
 * spec/pipeline.md J14 and J21). The view `fintra_market_state` keeps the old name readable.
 *
 * - A run for D writes the state as of D of every snapshot of D (or the scope's tickers). All of
 *   it is point in time except company_name and country: company_profiles keeps no history, so
 *   the backfill comparison leaves those two out.
 * - The newest day wins: a run for D leaves alone every row already dated after D, and a full
 *   run for the newest D deletes the tickers gone from D's snapshots. Two days' runs at the same
 *   instant could race between that read and the write; only the daily run writes the newest day.
 * - The change fields come from the snapshot's price metrics (the old job misread their keys,
 *   so its change was always NULL). ecosystem_score is dropped: its table is outside the pipeline.
 * - Ranks: competition ranking by fgos_score (SQL RANK(): 1, 2, 2, 4; 1 = best) within the
 *   snapshot's sector on D and across all of D's scored snapshots. The old RPC ranked by IFS
 *   position and pressure first; FGOS is what the UI's "rank in sector" shows. Ranks always come
 *   from the whole day, also on a scoped run, which writes only its tickers' rows.
 * - Chunks of tickers are staged and published in one transaction, so readers never see a day
 *   half-written or rows without their ranks. The day's ranks are read once per process
 *   (`runRanks`): read per chunk, they grew with the square of the market.
 */
import { defineTable, type Store } from "../db/index.ts";
import { isNum } from "../engines/math.ts";
import {
  ALL_TICKERS,
  perStep,
  rangeCondition,
  type TickerRange,
  tickerRanges,
} from "../runtime/chunks.ts";
import { type AssetCheck, type AssetContext, defineAsset } from "../runtime/define.ts";
import { publishRows, type StagingContext, stageRows } from "../runtime/staged.ts";
import { companyProfilesTable } from "./company_profiles.ts";
import { universeTable } from "./fintra_universe.ts";
import { datosPerformanceTable } from "./performance/datos_performance.ts";
import { fintraSnapshotsTable, type SnapshotRecord } from "./snapshot/fintra_snapshots.ts";
import { verdictText } from "./snapshot/verdict.ts";

interface MarketStateRow {
  ticker: string;
  snapshot_date: string;
  price: number | null;
  change: number | null;
  change_percentage: number | null;
  market_cap: number | null;
  volume: number | null;
  ytd_return: number | null;
  last_price_date: string | null;
  sector: string | null;
  industry: string | null;
  country: string | null;
  company_name: string | null;
  fgos_score: number | null;
  fgos_confidence_percent: number | null;
  fgos_confidence_label: string | null;
  valuation_status: string | null;
  verdict_text: string | null;
  market_position: object | null;
  strategic_state: object | null;
  relative_return: object | null;
  sector_rank: number | null;
  sector_rank_total: number | null;
  global_rank: number | null;
  global_rank_total: number | null;
  source: string;
  updated_at: string;
}

export const marketStateTable = defineTable<MarketStateRow>({
  name: "market_state",
  key: ["ticker"],
  columns: {
    ticker: "text",
    snapshot_date: "date",
    price: "numeric",
    change: "numeric",
    change_percentage: "numeric",
    market_cap: "numeric",
    volume: "bigint",
    ytd_return: "numeric",
    last_price_date: "date",
    sector: "text",
    industry: "text",
    country: "text",
    company_name: "text",
    fgos_score: "numeric",
    fgos_confidence_percent: "numeric",
    fgos_confidence_label: "text",
    valuation_status: "text",
    verdict_text: "text",
    market_position: "jsonb",
    strategic_state: "jsonb",
    relative_return: "jsonb",
    sector_rank: "integer",
    sector_rank_total: "integer",
    global_rank: "integer",
    global_rank_total: "integer",
    source: "text",
    updated_at: "timestamptz",
  },
});

/** A ticker's ranks of one day. */
type MarketStateRanks = Pick<
  MarketStateRow,
  "ticker" | "sector_rank" | "sector_rank_total" | "global_rank" | "global_rank_total"
>;

const RANK_COLUMNS = ["sector_rank", "sector_rank_total", "global_rank", "global_rank_total"];

/**
 * Tickers per chunk step at the full market's scale (45,000 tickers: 23 steps); a run uses
 * `perStep(ctx, MARKET_STATE_CHUNK)`, which `Resources.stepScale` shrinks.
 */
const MARKET_STATE_CHUNK = 2_000;

export const MARKET_STATE_SOURCE = "fintra_snapshots";

/** The snapshot columns market_state reads. */
export type SnapshotState = Pick<
  SnapshotRecord,
  | "ticker"
  | "snapshot_date"
  | "classification"
  | "profile_structural"
  | "fgos_score"
  | "fgos_confidence_percent"
  | "fgos_confidence_label"
  | "valuation"
  | "investment_verdict"
  | "strategic_state"
  | "market_position"
  | "relative_return"
>;

const SNAPSHOT_COLUMNS: (keyof SnapshotState)[] = [
  "ticker",
  "snapshot_date",
  "classification",
  "profile_structural",
  "fgos_score",
  "fgos_confidence_percent",
  "fgos_confidence_label",
  "valuation",
  "investment_verdict",
  "strategic_state",
  "market_position",
  "relative_return",
];

function field(object: unknown, ...path: string[]): unknown {
  let at = object;
  for (const key of path) {
    if (at === null || typeof at !== "object") return null;
    at = (at as Record<string, unknown>)[key];
  }
  return at ?? null;
}

const numberOrNull = (x: unknown) => (isNum(x) ? x : null);
const textOrNull = (x: unknown) => (typeof x === "string" && x !== "" ? x : null);

/** A market_state row (ranks null: `withRanks` fills them) from D's snapshot. */
export function marketStateRow(
  snapshot: SnapshotState,
  extras: {
    ytdReturn: number | null;
    companyName: string | null;
    country: string | null;
    updatedAt: string;
  },
): MarketStateRow {
  const metrics = field(snapshot.profile_structural, "metrics");
  const verdict = snapshot.investment_verdict as Parameters<typeof verdictText>[0] | null;
  const volume = numberOrNull(field(metrics, "volume"));
  return {
    ticker: snapshot.ticker,
    snapshot_date: snapshot.snapshot_date,
    price: numberOrNull(field(metrics, "price")),
    change: numberOrNull(field(metrics, "change")),
    change_percentage: numberOrNull(field(metrics, "changePercentage")),
    market_cap: numberOrNull(field(metrics, "marketCap")),
    volume: volume === null ? null : Math.round(volume),
    ytd_return: extras.ytdReturn,
    last_price_date: textOrNull(field(metrics, "priceDate")),
    sector: snapshot.classification.sector,
    industry: snapshot.classification.industry,
    country: extras.country,
    company_name: extras.companyName,
    fgos_score: snapshot.fgos_score,
    fgos_confidence_percent: snapshot.fgos_confidence_percent,
    fgos_confidence_label: snapshot.fgos_confidence_label,
    valuation_status:
      textOrNull(field(snapshot.valuation, "valuation_status"))?.toLowerCase() ?? null,
    verdict_text: verdict?.verdict_label && verdict.drivers ? verdictText(verdict) : null,
    market_position: snapshot.market_position,
    strategic_state: snapshot.strategic_state,
    relative_return: snapshot.relative_return,
    sector_rank: null,
    sector_rank_total: null,
    global_rank: null,
    global_rank_total: null,
    source: MARKET_STATE_SOURCE,
    updated_at: extras.updatedAt,
  };
}

/** What a rank is computed from: a ticker's group and score on D. */
export interface RankInput {
  ticker: string;
  sector: string | null;
  fgos_score: number | null;
}

/** Competition ranks (1 = highest score; ties share, the next skips) of scored entries. */
function competitionRanks(entries: readonly { ticker: string; score: number }[]) {
  const sorted = [...entries].sort((a, b) => b.score - a.score);
  const ranks = new Map<string, number>();
  sorted.forEach((e, i) => {
    const previous = sorted[i - 1];
    ranks.set(
      e.ticker,
      previous && previous.score === e.score ? (ranks.get(previous.ticker) as number) : i + 1,
    );
  });
  return ranks;
}

/** The day's sector and global FGOS ranks of every ticker (see the module doc for the rules). */
export function rankTickers(rows: readonly RankInput[]): Map<string, MarketStateRanks> {
  const scored = rows.filter((r): r is RankInput & { fgos_score: number } => isNum(r.fgos_score));
  const global = competitionRanks(scored.map((r) => ({ ticker: r.ticker, score: r.fgos_score })));
  const bySector = new Map<string, { ticker: string; score: number }[]>();
  for (const r of scored) {
    if (r.sector === null) continue;
    const list = bySector.get(r.sector) ?? [];
    list.push({ ticker: r.ticker, score: r.fgos_score });
    bySector.set(r.sector, list);
  }
  const sectorRanks = new Map([...bySector].map(([s, list]) => [s, competitionRanks(list)]));
  const out = new Map<string, MarketStateRanks>();
  for (const r of rows) {
    const inSector = r.sector === null ? null : sectorRanks.get(r.sector);
    out.set(r.ticker, {
      ticker: r.ticker,
      sector_rank: inSector?.get(r.ticker) ?? null,
      sector_rank_total: r.sector === null ? null : (bySector.get(r.sector)?.length ?? 0),
      global_rank: global.get(r.ticker) ?? null,
      global_rank_total: scored.length,
    });
  }
  return out;
}

/**
 * What is wrong with a set of ranked rows of one day, or an empty list: order, ties, bounds
 * and totals, per sector and globally. `complete` adds "totals equal the scored rows".
 */
export function rankProblems(
  rows: readonly (RankInput & Omit<MarketStateRanks, "ticker">)[],
  complete: boolean,
): string[] {
  const problems: string[] = [];
  const check = (
    group: string,
    list: { ticker: string; score: number | null; rank: number | null; total: number | null }[],
  ) => {
    const scored = list.filter((r) => isNum(r.score));
    const totals = new Set(list.map((r) => r.total));
    if (totals.size > 1) problems.push(`${group}: totals disagree (${[...totals].join(", ")})`);
    if (complete && list.length > 0 && list[0]?.total !== scored.length)
      problems.push(`${group}: total ${list[0]?.total} for ${scored.length} scored rows`);
    for (const r of list) {
      if (!isNum(r.score) && r.rank !== null)
        problems.push(`${group}: ${r.ticker} ranked without a score`);
      if (isNum(r.score) && (r.rank === null || r.rank < 1 || r.rank > (r.total ?? 0)))
        problems.push(`${group}: ${r.ticker} rank ${r.rank} outside 1..${r.total}`);
    }
    const ordered = [...scored].sort((a, b) => (b.score as number) - (a.score as number));
    for (let i = 1; i < ordered.length; i++) {
      const a = ordered[i - 1]!;
      const b = ordered[i]!;
      if (a.score === b.score ? a.rank !== b.rank : (a.rank ?? 0) >= (b.rank ?? 0))
        problems.push(
          `${group}: ${a.ticker} (${a.score}, #${a.rank}) vs ${b.ticker} (${b.score}, #${b.rank})`,
        );
    }
  };
  const bySector = new Map<string, (typeof rows)[number][]>();
  for (const r of rows) {
    if (r.sector === null) continue;
    const list = bySector.get(r.sector) ?? [];
    list.push(r);
    bySector.set(r.sector, list);
  }
  for (const [sector, list] of bySector)
    check(
      sector,
      list.map((r) => ({
        ticker: r.ticker,
        score: r.fgos_score,
        rank: r.sector_rank,
        total: r.sector_rank_total,
      })),
    );
  check(
    "global",
    rows.map((r) => ({
      ticker: r.ticker,
      score: r.fgos_score,
      rank: r.global_rank,
      total: r.global_rank_total,
    })),
  );
  return problems;
}

// ---------------------------------------------------------------------------------------
// Reading and writing

/** D's snapshot tickers: the scope's among them, or all of them. */
async function dayTickers(db: Store, day: string, scope: AssetContext["scope"]): Promise<string[]> {
  const rows = await db.readAll(fintraSnapshotsTable, {
    where: { snapshot_date: day, ...(scope?.tickers ? { ticker: { in: scope.tickers } } : {}) },
    columns: ["ticker"],
  });
  const tickers = rows.map((r) => r.ticker);
  return scope?.limit ? tickers.slice(0, scope.limit) : tickers;
}

/** Tickers (in a range or list) whose stored state is newer than D. */
async function newerThan(
  db: Store,
  day: string,
  tickers: { in: readonly string[] } | { gte?: string; lt?: string } | undefined,
): Promise<Set<string>> {
  const rows = await db.readAll(marketStateTable, {
    where: { snapshot_date: { gt: day }, ...(tickers ? { ticker: tickers } : {}) },
    columns: ["ticker"],
  });
  return new Set(rows.map((r) => r.ticker));
}

interface ChunkCounts {
  snapshots: number;
  written: number;
  keptNewer: number;
  ranked: number;
}

/** Builds, ranks and stages one range (or the scope's list) of D's snapshots; counts only. */
async function writeRange(
  ctx: StagingContext,
  day: string,
  range: TickerRange,
  scoped: string[] | null,
  updatedAt: string,
): Promise<ChunkCounts> {
  const { db } = ctx;
  const tickers = scoped ? { in: scoped } : rangeCondition(range);
  const [snapshots, newer, ranks] = await Promise.all([
    db.readAll(fintraSnapshotsTable, {
      where: { snapshot_date: day, ...(tickers ? { ticker: tickers } : {}) },
      columns: SNAPSHOT_COLUMNS,
    }),
    newerThan(db, day, tickers),
    runRanks(ctx, day),
  ]);
  const wanted = snapshots.filter((s) => !newer.has(s.ticker)).map((s) => s.ticker);
  const list = { in: wanted };
  const [ytd, profiles, universe] = await Promise.all([
    db.readAll(datosPerformanceTable, {
      where: { performance_date: day, window_code: "YTD", ticker: list },
      columns: ["ticker", "return_percent"],
    }),
    db.readAll(companyProfilesTable, {
      where: { ticker: list },
      columns: ["ticker", "company_name", "country"],
    }),
    db.readAll(universeTable, { where: { ticker: list }, columns: ["ticker", "name", "country"] }),
  ]);
  const ytdOf = new Map(ytd.map((r) => [r.ticker, r.return_percent]));
  const profileOf = new Map(profiles.map((p) => [p.ticker, p]));
  const universeOf = new Map(universe.map((u) => [u.ticker, u]));
  const rows = snapshots
    .filter((s) => !newer.has(s.ticker))
    .map((s) => ({
      ...marketStateRow(s as SnapshotState, {
        ytdReturn: ytdOf.get(s.ticker) ?? null,
        companyName:
          profileOf.get(s.ticker)?.company_name ?? universeOf.get(s.ticker)?.name ?? null,
        country: profileOf.get(s.ticker)?.country ?? universeOf.get(s.ticker)?.country ?? null,
        updatedAt,
      }),
      ...ranks.get(s.ticker),
    }));
  const written = await stageRows(ctx, marketStateTable, rows);
  return {
    snapshots: snapshots.length,
    written,
    keptNewer: newer.size,
    ranked: rows.filter((r) => ranks.has(r.ticker)).length,
  };
}

/** Runs whose day's ranks this process holds: the latest few (a run's chunks follow each other). */
const RANKS_KEPT = 2;
const ranksByRun = new Map<string, Promise<Map<string, MarketStateRanks>>>();

/**
 * The day's ranks for a run's chunk: read once per run (and process), since every chunk
 * ranks against the whole day. Under Inngest a step served by another process reads them
 * again, the same rows. A failed read is not kept.
 */
function runRanks(ctx: StagingContext, day: string): Promise<Map<string, MarketStateRanks>> {
  const key = `${ctx.materializationId}/${day}`;
  let ranks = ranksByRun.get(key);
  if (!ranks) {
    ranks = dayRanks(ctx.db, day);
    ranks.catch(() => ranksByRun.delete(key));
    ranksByRun.set(key, ranks);
    for (const old of ranksByRun.keys()) {
      if (ranksByRun.size <= RANKS_KEPT) break;
      ranksByRun.delete(old);
    }
  }
  return ranks;
}

/** The sector and global ranks of every snapshot of D (ranks are computed from the whole day). */
async function dayRanks(db: Store, day: string): Promise<Map<string, MarketStateRanks>> {
  const snapshots = await db.readAll(fintraSnapshotsTable, {
    where: { snapshot_date: day },
    columns: ["ticker", "fgos_score", "classification"],
  });
  return rankTickers(
    snapshots.map((s) => ({
      ticker: s.ticker,
      sector: s.classification.sector,
      fgos_score: s.fgos_score,
    })),
  );
}

/** How many of D's snapshots have an FGOS score (the global rank total). */
async function scoredOn(db: Store, day: string): Promise<number> {
  const rows = await db.readAll(fintraSnapshotsTable, {
    where: { snapshot_date: day, fgos_score: { isNull: false } },
    columns: ["ticker"],
  });
  return rows.length;
}

const ranksConsistent: AssetCheck<string> = {
  name: "ranks_consistent",
  severity: "error",
  description:
    "D's rows: within each sector and globally, higher scores rank higher, ties share, ranks lie in 1..total",
  async run({ db, partition, scope }) {
    const rows = await db.readAll(marketStateTable, {
      where: { snapshot_date: partition },
      columns: ["ticker", "sector", "fgos_score", ...(RANK_COLUMNS as (keyof MarketStateRow)[])],
    });
    const problems = rankProblems(rows, scope === null && !(await hasNewer(db, partition)));
    return {
      passed: problems.length === 0,
      value: problems.length,
      message:
        problems.length === 0
          ? `${rows.length} rows of ${partition}, ranks consistent`
          : `${problems.length} problems, e.g. ${problems.slice(0, 3).join("; ")}`,
    };
  },
};

async function hasNewer(db: Store, day: string): Promise<boolean> {
  return (await newerThan(db, day, undefined)).size > 0;
}

const dayCovered: AssetCheck<string> = {
  name: "day_covered",
  severity: "error",
  description: "on a full run holding the newest state, every snapshot of D has its row dated D",
  async run({ db, partition, scope }) {
    const day = partition;
    if (scope) return { passed: true, message: "scoped run: coverage is for the full day" };
    if (await hasNewer(db, day))
      return { passed: true, message: `a newer state than ${day} is stored` };
    const [snapshots, rows] = await Promise.all([
      db.readAll(fintraSnapshotsTable, { where: { snapshot_date: day }, columns: ["ticker"] }),
      db.readAll(marketStateTable, { where: { snapshot_date: day }, columns: ["ticker"] }),
    ]);
    const have = new Set(rows.map((r) => r.ticker));
    const missing = snapshots.filter((s) => !have.has(s.ticker)).map((s) => s.ticker);
    return {
      passed: missing.length === 0,
      value: missing.length,
      message:
        missing.length === 0
          ? `${rows.length} rows for ${snapshots.length} snapshots of ${day}`
          : `${missing.length} snapshots of ${day} have no row (e.g. ${missing.slice(0, 5).join(", ")})`,
    };
  },
};

export default defineAsset({
  key: "market_state",
  description:
    "Per-ticker UI cache of the latest market and analytic state, with sector and global FGOS ranks",
  deps: ["fintra_snapshots", "datos_performance", "company_profiles", "fintra_universe"],
  partitioned: true,
  tables: [marketStateTable],
  checks: [ranksConsistent, dayCovered],
  async materialize(ctx) {
    const day = ctx.partition;
    const plan = await ctx.step("plan-chunks", async () => {
      const tickers = await dayTickers(ctx.db, day, ctx.scope);
      return {
        tickers: tickers.length,
        scoped: ctx.scope ? tickers : null,
        ranges: ctx.scope ? [ALL_TICKERS] : tickerRanges(tickers, perStep(ctx, MARKET_STATE_CHUNK)),
        updatedAt: ctx.now().toISOString(),
      };
    });
    ctx.progress.total(plan.ranges.length + 1);
    const totals: ChunkCounts = { snapshots: 0, written: 0, keptNewer: 0, ranked: 0 };
    for (const [i, range] of plan.ranges.entries()) {
      const counts = await ctx.step(`chunk-${i + 1}-of-${plan.ranges.length}`, () =>
        writeRange(ctx, day, range, plan.scoped, plan.updatedAt),
      );
      totals.snapshots += counts.snapshots;
      totals.written += counts.written;
      totals.keptNewer += counts.keptNewer;
      totals.ranked += counts.ranked;
      ctx.progress.advance();
    }
    const published = await ctx.step("publish", async () => {
      // A full run holding the newest state replaces every state of D or before; a run for
      // an older D, or a scoped run, only upserts its rows.
      const replace =
        ctx.scope || (await hasNewer(ctx.db, day)) ? null : { snapshot_date: { lte: day } };
      const { removed } = await publishRows(ctx, marketStateTable, totals.written, replace);
      return { pruned: removed, scored: await scoredOn(ctx.db, day) };
    });
    ctx.progress.advance();
    return {
      rows: totals.written,
      metadata: { ...totals, ...published, updatedAt: plan.updatedAt },
    };
  },
});
