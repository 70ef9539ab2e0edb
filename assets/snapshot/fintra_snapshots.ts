/**
 * fintra_snapshots: Fintra's output. One row per equity and trading day D holding every
 * engine's reading of the company as of D (FGOS, valuation, IFS, IQS, sentiment, dividends,
 * relative return, market position, the verdict) and how far the data supports it
 * (spec/engines.md §17-18, spec/schema.md §4.9 and §10.2, spec/pipeline.md J16 and J18).
 * build.ts makes a row, inputs.ts reads what it needs, this file runs them and checks D.
 *
 * Decisions:
 * - Every equity active on D gets a row, inputs or not: FGOS `pending` with the reason
 *   (engine_error when the build threw), so a gap in the data shows as a reason, never as
 *   a missing row.
 * - Deps are exactly the tables read. Never D's own snapshots, and never datos_valuacion:
 *   FMP's TTM copy exists only for the day it was read, which a backfill cannot see.
 * - Key (snapshot_date, ticker), date first so a day is one key range. engine_version is
 *   not in the key: a new engine rewrites the day instead of adding rows beside it.
 * - No `sector` column: the operations guide joins with company_profiles and selects a bare
 *   `sector`, which a second one would make ambiguous. Read classification->>'sector'.
 * - No `description`, cik, isin or logo in profile_structural (not point in time, or no
 *   table has them); the sector ranks live in market_state; legacy columns are not carried.
 *
 * Point in time: reads are bounded by D and the builder drops anything later again, and
 * nothing reads the clock, so a rerun or a backfill rebuilds the same rows
 * (tests/assets/point-in-time.test.ts). Three things are today's state instead: the
 * identity in profile_structural, the classification's fallback to the profile (no
 * asset_industry_map row on D), and who gets a row (today's universe and IPO dates).
 *
 * Work: "plan-chunks" packs the tickers into chunks of whole industries (IQS peers read
 * once) and fixes `updated_at`; each `chunk-i-of-n` step reads, builds and stages its rows;
 * "publish" swaps them in in one transaction. Until then readers see the previous rows of
 * D, and a killed run leaves them untouched. A full run's day becomes exactly its rows; a
 * scoped run upserts its tickers and reads only them and their industries' members.
 * Monthly partitioning (spec §10.2) waits for the volume to call for it.
 */
import { defineTable, type Where } from "../../db/index.ts";
import { perStep } from "../../runtime/chunks.ts";
import { type AssetCheck, type AssetContext, defineAsset } from "../../runtime/define.ts";
import { publishStaged, type StagingContext, stageRows } from "../../runtime/staged.ts";
import { guideChecks } from "../monitoring.ts";
import { buildSnapshot, ENGINE_VERSION, failedSnapshot } from "./build.ts";
import {
  activeEquitiesOn,
  planSnapshotChunks,
  readChunkInputs,
  SNAPSHOT_CHUNK_TICKERS,
  type SnapshotChunk,
} from "./inputs.ts";
import type { BuiltSnapshot } from "./types.ts";

/** A fintra_snapshots row: the built row and the run's stamp. */
export interface SnapshotRecord extends BuiltSnapshot {
  updated_at: string;
}

export const fintraSnapshotsTable = defineTable<SnapshotRecord>({
  name: "fintra_snapshots",
  key: ["snapshot_date", "ticker"],
  columns: {
    snapshot_date: "date",
    ticker: "text",
    engine_version: "text",
    classification: "jsonb",
    profile_structural: "jsonb",
    market_snapshot: "jsonb",
    sector_performance: "jsonb",
    industry_performance: "jsonb",
    sector_pe: "jsonb",
    fundamentals_growth: "jsonb",
    fgos_score: "numeric",
    fgos_category: "text",
    fgos_status: "text",
    fgos_reason: "text",
    fgos_confidence_percent: "numeric",
    fgos_confidence_label: "text",
    fgos_maturity: "text",
    fgos_components: "jsonb",
    valuation: "jsonb",
    market_position: "jsonb",
    investment_verdict: "jsonb",
    strategic_state: "jsonb",
    relative_return: "jsonb",
    ifs: "jsonb",
    ifs_fy: "jsonb",
    dividend_quality: "jsonb",
    relative_vs_sector_1m: "numeric",
    relative_vs_sector_3m: "numeric",
    relative_vs_sector_6m: "numeric",
    relative_vs_sector_1y: "numeric",
    relative_vs_sector_3y: "numeric",
    relative_vs_sector_5y: "numeric",
    relative_vs_market_1m: "numeric",
    relative_vs_market_3m: "numeric",
    relative_vs_market_6m: "numeric",
    relative_vs_market_1y: "numeric",
    relative_vs_market_3y: "numeric",
    relative_vs_market_5y: "numeric",
    data_confidence: "jsonb",
    input_dates: "jsonb",
    latest_input_date: "date",
    latest_filing_date: "date",
    updated_at: "timestamptz",
  },
});

/** The tables the snapshot reads, and so its deps. */
const SNAPSHOT_DEPS = [
  "fintra_universe",
  "company_profiles",
  "industry_classification",
  "asset_industry_map",
  "datos_eod",
  "datos_financieros",
  "datos_valuacion_ttm",
  "financial_scores",
  "datos_dividendos",
  "datos_performance",
  "sector_performance",
  "industry_performance",
  "sector_pe",
  "sector_benchmarks",
] as const;

/** Thresholds of the checks. */
const MIN_COVERAGE = 0.95;
const MIN_FGOS_COMPUTED_SHARE = 0.8;
const MIN_RELATIVE_RETURN_SHARE = 0.9;

/** What one chunk step reports. */
interface ChunkCounts {
  rows: number;
  computed: number;
  withRelativeReturn: number;
  pending: Record<string, number>;
  failures: { ticker: string; error: string }[];
}

function addCounts(a: ChunkCounts, b: ChunkCounts): ChunkCounts {
  const pending = { ...a.pending };
  for (const [reason, n] of Object.entries(b.pending)) pending[reason] = (pending[reason] ?? 0) + n;
  return {
    rows: a.rows + b.rows,
    computed: a.computed + b.computed,
    withRelativeReturn: a.withRelativeReturn + b.withRelativeReturn,
    pending,
    failures: [...a.failures, ...b.failures].slice(0, 5),
  };
}

/** Reads, builds and stages one chunk of day D for the run's publish; returns counts only. */
export async function buildChunk(
  ctx: StagingContext,
  day: string,
  chunk: Pick<SnapshotChunk, "tickers" | "peers">,
  updatedAt: string,
): Promise<ChunkCounts> {
  const { context, inputs } = await readChunkInputs(ctx.db, day, chunk);
  const counts: ChunkCounts = {
    rows: 0,
    computed: 0,
    withRelativeReturn: 0,
    pending: {},
    failures: [],
  };
  const rows: SnapshotRecord[] = [];
  for (const input of inputs) {
    let built: BuiltSnapshot;
    try {
      built = buildSnapshot(input, context);
    } catch (error) {
      built = failedSnapshot(input, context, error);
      counts.failures.push({ ticker: input.ticker, error: String(error) });
    }
    if (built.fgos_status === "computed") counts.computed++;
    else {
      const reason = built.fgos_reason ?? "unknown";
      counts.pending[reason] = (counts.pending[reason] ?? 0) + 1;
    }
    if (built.relative_return !== null) counts.withRelativeReturn++;
    rows.push({ ...built, updated_at: updatedAt });
  }
  counts.rows = await stageRows(ctx, fintraSnapshotsTable, rows);
  counts.failures = counts.failures.slice(0, 5);
  return counts;
}

/** How many of D's stored rows match an extra filter. */
async function countDay(
  db: AssetContext["db"],
  day: string,
  where: Where<SnapshotRecord> = {},
): Promise<number> {
  const rows = await db.readAll(fintraSnapshotsTable, {
    where: { ...where, snapshot_date: day },
    columns: ["ticker"],
  });
  return rows.length;
}

function shareCheck(options: {
  name: string;
  description: string;
  min: number;
  where: Where<SnapshotRecord>;
}): AssetCheck<string> {
  return {
    name: options.name,
    severity: "warn",
    description: options.description,
    async run({ db, partition, scope }) {
      if (scope) return { passed: true, message: "scoped run: the share is for the full day" };
      const day = partition;
      const [total, matching] = await Promise.all([
        countDay(db, day),
        countDay(db, day, options.where),
      ]);
      const share = total > 0 ? matching / total : 0;
      return {
        passed: share >= options.min,
        value: share,
        message: `${matching} of ${total} rows of ${day} (${(share * 100).toFixed(1)} %, floor ${options.min * 100} %)`,
      };
    },
  };
}

const coverageCheck: AssetCheck<string> = {
  name: "snapshot_coverage",
  severity: "error",
  description: `on a full run, D's rows cover at least ${MIN_COVERAGE * 100} % of the equities active on D`,
  async run({ db, partition, scope }) {
    if (scope) return { passed: true, message: "scoped run: coverage is for the full day" };
    const day = partition;
    const [expected, stored] = await Promise.all([
      activeEquitiesOn(db, day),
      db.readAll(fintraSnapshotsTable, { where: { snapshot_date: day }, columns: ["ticker"] }),
    ]);
    const have = new Set(stored.map((r) => r.ticker));
    const missing = expected.filter((t) => !have.has(t));
    const share = expected.length > 0 ? (expected.length - missing.length) / expected.length : 1;
    return {
      passed: share >= MIN_COVERAGE,
      value: share,
      message: `${expected.length - missing.length} of ${expected.length} active equities have a row of ${day}${missing.length ? ` (missing e.g. ${missing.slice(0, 5).join(", ")})` : ""}`,
    };
  },
};

const pointInTimeCheck: AssetCheck<string> = {
  name: "point_in_time",
  severity: "error",
  description: "no row of D used an input dated after D or a statement filed after D",
  async run({ db, partition, scope }) {
    const day = partition;
    // A scoped run wrote only its tickers' rows: they are what it checks.
    const own = scope?.tickers ? { ticker: { in: scope.tickers } } : {};
    const [lateInputs, lateFilings] = await Promise.all([
      db.readAll(fintraSnapshotsTable, {
        where: { ...own, snapshot_date: day, latest_input_date: { gt: day } },
        columns: ["ticker"],
      }),
      db.readAll(fintraSnapshotsTable, {
        where: { ...own, snapshot_date: day, latest_filing_date: { gt: day } },
        columns: ["ticker"],
      }),
    ]);
    const bad = [...new Set([...lateInputs, ...lateFilings].map((r) => r.ticker))];
    return {
      passed: bad.length === 0,
      value: bad.length,
      message:
        bad.length === 0
          ? `every row of ${day} was built from data dated and filed on or before it`
          : `${bad.length} rows of ${day} used later data (e.g. ${bad.slice(0, 5).join(", ")})`,
    };
  },
};

export default defineAsset({
  key: "fintra_snapshots",
  description:
    "One scored snapshot per equity and trading date: FGOS, valuation, IFS, IQS, moat, sentiment, dividends, relative return, verdict",
  deps: SNAPSHOT_DEPS,
  partitioned: true,
  tables: [fintraSnapshotsTable],
  checks: [
    coverageCheck,
    shareCheck({
      name: "fgos_computed_share",
      description: `on a full run, at least ${MIN_FGOS_COMPUTED_SHARE * 100} % of D's rows have FGOS computed`,
      min: MIN_FGOS_COMPUTED_SHARE,
      where: { fgos_status: "computed" },
    }),
    shareCheck({
      name: "relative_return_share",
      description: `on a full run, at least ${MIN_RELATIVE_RETURN_SHARE * 100} % of D's rows have a relative_return`,
      min: MIN_RELATIVE_RETURN_SHARE,
      where: { relative_return: { isNull: false } },
    }),
    pointInTimeCheck,
    ...guideChecks("fintra_snapshots"),
  ],
  async materialize(ctx) {
    const day = ctx.partition;
    const plan = await ctx.step("plan-chunks", async () => ({
      ...(await planSnapshotChunks(ctx.db, day, ctx.scope, perStep(ctx, SNAPSHOT_CHUNK_TICKERS))),
      updatedAt: ctx.now().toISOString(),
    }));
    ctx.progress.total(plan.tickers);
    let totals: ChunkCounts = {
      rows: 0,
      computed: 0,
      withRelativeReturn: 0,
      pending: {},
      failures: [],
    };
    for (const [i, chunk] of plan.chunks.entries()) {
      const counts = await ctx.step(`chunk-${i + 1}-of-${plan.chunks.length}`, () =>
        buildChunk(ctx, day, chunk, plan.updatedAt),
      );
      totals = addCounts(totals, counts);
      ctx.progress.advance(chunk.tickers.length);
    }
    // One transaction: a full run's day becomes exactly its rows (tickers gone from the
    // universe leave); a scoped run only upserts its tickers.
    const { removed: pruned } = await publishStaged(
      ctx,
      fintraSnapshotsTable,
      totals.rows,
      ctx.scope ? null : { snapshot_date: day },
    );
    return {
      rows: totals.rows,
      metadata: {
        engineVersion: ENGINE_VERSION,
        updatedAt: plan.updatedAt,
        tickers: plan.tickers,
        unclassified: plan.unclassified,
        chunks: plan.chunks.length,
        fgosComputed: totals.computed,
        fgosPending: totals.pending,
        withRelativeReturn: totals.withRelativeReturn,
        failures: totals.failures,
        pruned,
      },
    };
  },
});
