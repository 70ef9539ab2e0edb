/**
 * fintra_snapshots: Fintra's core output. One row per equity and trading date D with every
 * scoring engine's reading of the company on D: business quality (FGOS), valuation against
 * its sector, momentum (IFS), structural quality in its industry (IQS), moat, competitive
 * advantage, sentiment, dividend quality, return against the market, market position, the
 * verdict that reads them together, and how much of that picture the data supports
 * (spec/engines.md §17-18, spec/schema.md §4.9 and §10.2, spec/pipeline.md J16 and J18).
 *
 * Who gets a row: every equity active on D (fintra_universe instrument_type EQUITY, active
 * now or last seen on or after D, not listed after D per its profile), or the scope's
 * tickers (a `limit` scope: the first N active equities, as every asset reads it). A
 * ticker whose inputs are missing still gets its row: `fgos_status = 'pending'` with the
 * reason in `fgos_reason` (and `fgos_components.reason`): missing_sector,
 * insufficient_sector_benchmarks, missing_financials_data, no_scorable_metrics, or
 * engine_error when a build threw (the error is kept in the components; the run goes on).
 *
 * Deps are exactly the tables it reads, so it runs by itself once financials, benchmarks
 * and performance are materialized for D: fintra_universe, company_profiles,
 * industry_classification and asset_industry_map (classification on D), datos_eod (price,
 * change, volume, 52-week range, beta), datos_financieros (FY and TTM rows), datos_valuacion_ttm
 * (multiples, sentiment, quarter-end market cap), financial_scores (Altman Z, Piotroski F),
 * datos_dividendos, datos_performance (the ticker's and SPY's windows), sector_performance,
 * industry_performance, sector_pe and sector_benchmarks. Never the same day's snapshots (the
 * old benchmark cycle is gone), and not datos_valuacion: FMP's TTM copy exists only for the
 * day FMP was read, so nothing in a row may depend on it.
 *
 * Key (snapshot_date, ticker), the PK spec §10.2 asks for with the date first, so one day
 * is one contiguous key range (the checks, market_state and reruns read whole days);
 * `(ticker, snapshot_date DESC)` serves "a ticker's latest snapshot". `engine_version`
 * (ENGINE_VERSION, NOT NULL) says which build wrote the row and is not in the key: a new
 * version rewrites the day instead of adding a second row. `updated_at` is the run's stamp.
 *
 * Columns and who fills them (engines/):
 * - classification `{status full|partial|missing, sector, industry, source}`: the
 *   asset_industry_map row valid on D with industry_classification (`canonical`, the same
 *   grouping the benchmarks and aggregates use), else company_profiles (`profile_fallback`).
 *   Decision (no `sector` column): the sector lives only in `classification->>'sector'`.
 *   The operations guide joins fintra_snapshots with company_profiles and selects a bare
 *   `sector`; with a sector column on both tables that query is ambiguous, and
 *   company_profiles is not ours to rename. Read `classification->>'sector'` (or
 *   market_state.sector).
 * - profile_structural (NOT NULL): `{status, source 'bulk', last_updated = D, identity{name,
 *   ticker, exchange, exchangeFullName, country, currency, website, ceo, fullTimeEmployees,
 *   founded = IPO date, isEtf, isAdr, isActivelyTrading = priced within 10 days},
 *   metrics{marketCap, marketCapSource, price, priceDate, previousClose, change,
 *   changePercentage, beta, lastDividend, volume, averageVolume, range}, classification,
 *   financial_scores{altman_z, piotroski_score, ..., score_date}}`. Price figures come from
 *   datos_eod (the latest close on or before D, at most 10 days old; change against the close
 *   before it; 63-session average volume; 52-week low-high; a one-year daily beta against SPY
 *   from 60+ matched returns). Market cap: always the diluted weighted shares of the row FGOS
 *   scores (a TTM's are its latest quarter's) times the price on D (`marketCapSource`
 *   'shares_x_close'), the market value of equity financial_scores uses too; never FMP's
 *   figure, which a backfill could not see. Decision: no `description` (it is not point in
 *   time and would repeat ~1 KB per row per day; company_profiles has it); no
 *   cik/isin/logo/cusip/phone (no table holds them). Not point in time: `identity` (name,
 *   exchange, country, currency, website, CEO, employees, founded, isEtf, isAdr) is the
 *   profile's and universe's latest state (those tables keep no history), so a backfill
 *   shows today's identity on past days; the point-in-time comparison leaves it out.
 *   Without a company profile: `{status 'pending', computed false, reason, metrics, ...}`.
 * - market_snapshot (NOT NULL) `{price, ytd_percent (datos_performance YTD on D), div_yield
 *   (latest fiscal year's dividend per share over D's close, a decimal)}`.
 * - sector_performance `{status, date, data{1D..5Y}}`: the sector's newest day on or before D
 *   (within 7 days), full with all 9 windows; industry_performance: the newest row per
 *   window (1D,1W,1M,YTD,1Y,3Y,5Y) on or before D, full only with all 7 dated D; sector_pe
 *   `{status full (dated D)|partial|missing, value (median P/E), date, constituents}`.
 * - fundamentals_growth (§3.10, true CAGRs from FY rows) and fgos_maturity
 *   (early|developing|established, §3.9).
 * - fgos_score, fgos_category (High|Medium|Low|Pending), fgos_status (computed|pending),
 *   fgos_reason, fgos_confidence_percent/label, fgos_components (§3: pillars and impacts,
 *   quality_brakes from financial_scores, moat and moat_details, competitive_advantage,
 *   sentiment and sentiment_details, confidence_layer, the scored inputs). FGOS scores the
 *   latest TTM-or-FY row ended and filed by D, no older than 550 days (the benchmarks' own
 *   staleness rule), against the sector's benchmarks of the newest day on or before D
 *   (within 7 days; sector_benchmarks is a dep, so normally D's own).
 *   Altman Z / Piotroski apply from financial_scores' row of D (computed point in time from
 *   statements filed by D and D's close; no older row stands in, so a backfill reads what the
 *   daily run read).
 * - valuation (NOT NULL, §4): P/E, EV/EBITDA and P/FCF of the latest datos_valuacion_ttm row
 *   valued and filed by D within 200 days (the source and staleness the benchmarks use, so
 *   a company is compared with a distribution of the same quarter-end multiples), plus
 *   price_to_sales, valuation_date and source.
 * - sentiment (§9): those quarter-end rows as the timeline (today, −1, −3, −5 years).
 * - relative_vs_sector_{1m,3m,6m,1y,3y,5y} and relative_vs_market_{same} (§8.2): the ticker's
 *   datos_performance return on D minus its sector's sector_performance return on D, and
 *   minus SPY's, in percentage points (2y is computed for IFS but has no column).
 * - relative_return (§8.1, 1Y/3Y/5Y vs SPY with drawdowns): NULL when no window has both
 *   returns, so `relative_return IS NOT NULL` counts the tickers it says something about.
 * - ifs (§6, with the default industry profile's dominant horizons); ifs_fy = IQS (§7)
 *   against the FY rows of the industry's members on D.
 * - dividend_quality (§12; a column the original never had a feed for), `status`
 *   computed|not_paying|no_data: scored only for companies that paid in one of their last
 *   10 fiscal years filed by D; a non-payer is not "unsustainable dividends" to the verdict.
 * - market_position (NOT NULL, §15; market cap of the quarter-end valuation, ROIC and
 *   operating margin of the FGOS row, revenue CAGR); investment_verdict = strategic_state
 *   (NOT NULL, §13).
 * - data_confidence (NOT NULL, §16): coverage, layer status, has_* flags, interpretation
 *   context and the fundamentals' year span.
 * - input_dates (the newest date of each input used), latest_input_date and
 *   latest_filing_date: provenance for the point-in-time check.
 * Not carried over: `sector_rank*` (the day's ranks are market_state's), `ifs_memory`
 * (legacy, never written at HEAD) and the never-applied legacy columns.
 *
 * Missing upstream: there is no industry_metadata table, so every industry gets the
 * engines' DEFAULT_INDUSTRY_PROFILE (cadence medium, horizons 6M/1Y/2Y/3Y).
 *
 * Point in time: partition D reads only rows dated on or before D and statements filed on or
 * before D, and the pure builder drops anything else again (snapshot-build.ts). Derived
 * figures never read the clock, so a rerun of D builds the same rows, and a backfill of last
 * month rebuilds what the daily runs built from the same tables
 * (tests/assets/point-in-time.test.ts). The exceptions are the latest-state inputs: the
 * identity block (above), the classification's profile fallback (for a ticker without an
 * asset_industry_map row valid on D), and who gets a row, decided by today's universe
 * (active now or last seen on or after D) and profile (IPO date): a ticker delisted before
 * the store first saw the universe is unknown to a backfill.
 *
 * Work: a planning step ("plan-chunks") lists the run's tickers and packs them into chunks
 * of about perStep(SNAPSHOT_CHUNK_TICKERS) (1,000 at full scale), whole industries at a
 * time (snapshot-inputs.ts), so IQS peers' rows are read once per industry; it also fixes
 * the run's `updated_at`. Each chunk is one step (`chunk-3-of-45`): read its inputs with paged, filtered Store reads, build
 * each row with the pure `buildSnapshot` (a throw makes an engine_error row, counted with a
 * sample in the run's metadata), stage the rows under the run's id, return counts. Nothing
 * per ticker scans its industry or the market: an industry's peer rows are filtered and
 * ranked once per chunk for every member's IQS (`industryPeersOn`), the market's returns
 * once for every beta. About 1 ms a ticker to build; the chunk's reads and the staging
 * of the rows cost more (bench/snapshots.ts). A scoped run reads only its tickers and the
 * members of their industries (for IQS), never the whole market. One last step ("publish") makes the staged rows visible in one
 * transaction (staged.ts): a full run's day becomes exactly its rows (tickers it did not
 * build, gone from the universe, leave), a scoped run upserts only its tickers. Until
 * then readers (market_state, the checks, SQL) see the previous rows of D, and a run killed
 * midway leaves them untouched.
 * Physical partitioning by month (spec §10.2) is left for when the volume calls for it.
 *
 * Checks (issue 5 item 10), each recorded per run:
 * - snapshot_coverage (error, full runs): rows of D cover >= 95% of the equities active on D.
 * - fgos_computed_share (warn, full runs): >= 80% of D's rows have fgos_status computed.
 * - relative_return_share (warn, full runs): >= 90% of D's rows have a relative_return.
 * - point_in_time (error): no row of D used an input dated after D or a statement filed
 *   after D (latest_input_date, latest_filing_date); a `tickers` scope checks its rows.
 */
import { defineTable, type Where } from "../db/index.ts";
import { perStep } from "./chunks.ts";
import { type AssetCheck, type AssetContext, defineAsset } from "./define.ts";
import {
  type BuiltSnapshot,
  buildSnapshot,
  type Classification,
  ENGINE_VERSION,
  failedSnapshot,
} from "./snapshot-build.ts";
import {
  activeEquitiesOn,
  planSnapshotChunks,
  readChunkInputs,
  SNAPSHOT_CHUNK_TICKERS,
  type SnapshotChunk,
} from "./snapshot-inputs.ts";
import { publishStaged, type StagingContext, stageRows } from "./staged.ts";

export { buildSnapshot, ENGINE_VERSION };

/** A fintra_snapshots row. JSON columns are the engines' objects (see the doc above). */
export interface SnapshotRecord {
  snapshot_date: string;
  ticker: string;
  engine_version: string;
  classification: Classification;
  profile_structural: object;
  market_snapshot: object;
  sector_performance: object | null;
  industry_performance: object | null;
  sector_pe: object | null;
  fundamentals_growth: object | null;
  fgos_score: number | null;
  fgos_category: string;
  fgos_status: "computed" | "pending";
  fgos_reason: string | null;
  fgos_confidence_percent: number | null;
  fgos_confidence_label: string | null;
  fgos_maturity: string | null;
  fgos_components: object;
  valuation: object;
  market_position: object;
  investment_verdict: object;
  strategic_state: object;
  relative_return: object | null;
  ifs: object | null;
  ifs_fy: object | null;
  dividend_quality: object | null;
  relative_vs_sector_1m: number | null;
  relative_vs_sector_3m: number | null;
  relative_vs_sector_6m: number | null;
  relative_vs_sector_1y: number | null;
  relative_vs_sector_3y: number | null;
  relative_vs_sector_5y: number | null;
  relative_vs_market_1m: number | null;
  relative_vs_market_3m: number | null;
  relative_vs_market_6m: number | null;
  relative_vs_market_1y: number | null;
  relative_vs_market_3y: number | null;
  relative_vs_market_5y: number | null;
  data_confidence: object;
  input_dates: object;
  latest_input_date: string | null;
  latest_filing_date: string | null;
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
export const SNAPSHOT_DEPS = [
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
export const MIN_COVERAGE = 0.95;
export const MIN_FGOS_COMPUTED_SHARE = 0.8;
export const MIN_RELATIVE_RETURN_SHARE = 0.9;

/** What one chunk step reports. */
export interface ChunkCounts {
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
}): AssetCheck {
  return {
    name: options.name,
    severity: "warn",
    description: options.description,
    async run({ db, partition, scope }) {
      if (scope) return { passed: true, message: "scoped run: the share is for the full day" };
      const day = partition as string;
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

const coverageCheck: AssetCheck = {
  name: "snapshot_coverage",
  severity: "error",
  description: `on a full run, D's rows cover at least ${MIN_COVERAGE * 100} % of the equities active on D`,
  async run({ db, partition, scope }) {
    if (scope) return { passed: true, message: "scoped run: coverage is for the full day" };
    const day = partition as string;
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

const pointInTimeCheck: AssetCheck = {
  name: "point_in_time",
  severity: "error",
  description: "no row of D used an input dated after D or a statement filed after D",
  async run({ db, partition, scope }) {
    const day = partition as string;
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
  ],
  async materialize(ctx) {
    const day = ctx.partition as string;
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
