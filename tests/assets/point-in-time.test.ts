/**
 * Point in time, end to end (issue 5: "a backfill of last month rebuilds the same rows as the
 * daily runs did, and rerunning any partition changes no row").
 *
 * Two stores build the same four trading days of the daily graph on the sandbox (same seed,
 * so the same history):
 * - daily: on each day D, a market seen from D (statements filed by D, prices up to D) and
 *   `materialize('*')` for D, as the cron would (Thanksgiving, 2026-11-26, has no run);
 * - backfill: a market seen from the last day, the latest-state assets once, then `backfill`
 *   of the partitioned assets, day by day (one call per day only so the tables whose rows
 *   outlive a day can be read as they stood after each day; a single call runs the same).
 * Both get the same sparse price history before the first day first (see PRICE_RANGES).
 *
 * Every partitioned table of the chain must hold the same rows for each day in both stores,
 * leaving out bookkeeping (updated_at, created_at) and what the assets' docs declare latest
 * state (LATEST_STATE below). datos_valuacion is not compared (NOT_COMPARED): it copies
 * FMP's TTM bulks, which describe only today, so a backfill of a past day writes nothing by
 * design. The unpartitioned tables (universe, profiles, taxonomy, industry map, dividends)
 * are latest state; their readers pick what was known on D, which the comparison covers.
 * Then a forced rerun of the last day (daily store) and of a past day (backfill store)
 * changes no row of any day (RERUN_DROP: a past day's rerun restates data_freshness).
 *
 * Not exercised, because the sandbox has none in these days, and stated as limits in the
 * assets' docs: delistings (the universe is latest state), re-filed periods (one
 * datos_financieros row per period) and industry changes (a first-seen membership opens at
 * 1900 with today's industry).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assets } from "../../assets/index.ts";
import type { Store } from "../../db/index.ts";
import { backfill } from "../../runtime/backfill.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { materialize } from "../../runtime/materialize.ts";
import type { Resources } from "../../runtime/resources.ts";
import { marketResources, startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { openTestStore } from "../helpers/store.ts";

/** Consecutive trading days (11-26 is Thanksgiving); JQOI files its 10-K on the last one. */
const DAYS = ["2026-11-24", "2026-11-25", "2026-11-27", "2026-11-30"] as const;
const FIRST = DAYS[0];
const LAST = DAYS[3];
const TICKERS = 60;
const SEED = 7;
const HISTORY_YEARS = 4;

/** The daily graph: every asset but the weekly SEC crons, which never block it. */
const graph = new AssetGraph(assets.filter((a) => !a.cron || a.deps.length === 0));
const latestState = graph.order.filter((k) => !graph.get(k).partitioned);
const partitioned = graph.order.filter((k) => graph.get(k).partitioned);

/**
 * Sparse price history before the first day: the closes the windows (1D..3Y) and the
 * quarter-end valuations of all four days start from, as tests/assets/snapshot/graph.ts.
 */
const PRICE_RANGES: [string, string][] = [
  ["2026-11-10", "2026-11-23"], // previous closes, 1W
  ["2026-10-19", "2026-10-30"], // 1M
  ["2026-09-23", "2026-09-30"], // quarter end
  ["2026-08-19", "2026-08-31"], // 3M
  ["2026-06-24", "2026-06-30"], // quarter end
  ["2026-05-19", "2026-05-29"], // 6M
  ["2025-12-23", "2025-12-31"], // YTD, quarter end
  ["2025-11-18", "2025-11-28"], // 1Y
  ["2025-09-24", "2025-09-30"], // quarter end, sentiment a year back
  ["2023-11-17", "2023-11-30"], // 3Y
];

/** What a day's comparison reads of one table. */
interface Compared {
  table: string;
  /** SQL condition for day D (`$D`): the day's rows, or the rows as they stood on D. */
  where: string;
  order: string;
  /** Top-level columns left out, beyond updated_at and created_at. */
  drop?: string[];
  /** JSON paths left out (`#-`). */
  dropPaths?: string[];
}

/**
 * Declared latest state (not point in time), left out, with the docs that say so:
 * fintra_snapshots' identity block and market_state's company_name and country come from
 * company_profiles / fintra_universe, which keep no history.
 */
const LATEST_STATE = {
  snapshotIdentity: "{profile_structural,identity}",
  marketStateColumns: ["company_name", "country"],
};

const day = (column: string) => `${column} = '$D'`;
const COMPARED: Compared[] = [
  { table: "datos_eod", where: day("price_date"), order: "ticker" },
  {
    // Not keyed by day: every row filed by D, as it stood after D's run.
    table: "datos_financieros",
    where: "filing_date <= '$D'",
    order: "ticker, period_type, period_label",
  },
  { table: "datos_performance", where: day("performance_date"), order: "ticker, window_code" },
  { table: "sector_performance", where: day("performance_date"), order: "sector, window_code" },
  {
    table: "industry_performance",
    where: day("performance_date"),
    order: "industry, window_code",
  },
  {
    table: "performance_windows",
    where: day("as_of_date"),
    order: "ticker, benchmark_type, benchmark_ticker, window_code",
  },
  {
    table: "datos_valuacion_ttm",
    where: "filing_date <= '$D' AND valuation_date <= '$D'",
    order: "ticker, valuation_date",
  },
  { table: "sector_pe", where: day("pe_date"), order: "sector" },
  { table: "industry_pe", where: day("pe_date"), order: "industry" },
  { table: "sector_benchmarks", where: day("snapshot_date"), order: "group_type, sector, metric" },
  { table: "industry_benchmarks", where: day("snapshot_date"), order: "industry, metric" },
  { table: "sector_stats", where: day("stats_date"), order: "sector, metric" },
  { table: "industry_stats", where: day("stats_date"), order: "industry, metric" },
  { table: "financial_scores", where: day("score_date"), order: "ticker" },
  {
    table: "fintra_snapshots",
    where: day("snapshot_date"),
    order: "ticker",
    dropPaths: [LATEST_STATE.snapshotIdentity],
  },
  {
    // Keyed by ticker, holding the newest day: compared as it stood after D's run.
    table: "market_state",
    where: "snapshot_date <= '$D'",
    order: "ticker",
    drop: LATEST_STATE.marketStateColumns,
  },
];

/** Partitioned tables not compared, and why. */
const NOT_COMPARED: Record<string, string> = {
  datos_valuacion: "a copy of FMP's TTM bulks, which describe today only",
};

type Rows = Record<string, unknown>[];

/**
 * The market's evening, a millisecond later at each reading: every run stamps an updated_at
 * of its own (datos_financieros' check finds the run's rows by it), and the clock never
 * leaves the day the market is seen from.
 */
function clockedResources(store: Store, market: TestMarket): Resources {
  const base = marketResources(store, market);
  const start = base.now().getTime();
  let tick = 0;
  return { ...base, now: () => new Date(start + tick++) };
}

async function read(store: Store, c: Compared, d: string, extraDrop: string[] = []): Promise<Rows> {
  const drops = ["updated_at", "created_at", ...(c.drop ?? []), ...extraDrop]
    .map((col) => ` - '${col}'`)
    .join("");
  const paths = (c.dropPaths ?? []).map((p) => ` #- '${p}'`).join("");
  const rows = await store.readOnlyQuery(
    `SELECT (to_jsonb(t)${drops})${paths} AS row FROM ${c.table} t
     WHERE ${c.where.replaceAll("$D", d)} ORDER BY ${c.order}`,
  );
  return rows.map((r) => r.row as Record<string, unknown>);
}

/** Every compared table of day D. */
async function capture(store: Store, d: string, extraDrop: Record<string, string[]> = {}) {
  const out: Record<string, Rows> = {};
  for (const c of COMPARED) out[c.table] = await read(store, c, d, extraDrop[c.table]);
  return out;
}

/** A readable list of differences: row counts, then the first differing rows and fields. */
function differences(label: string, a: Record<string, Rows>, b: Record<string, Rows>): string[] {
  const out: string[] = [];
  for (const table of Object.keys(a)) {
    const x = a[table] ?? [];
    const y = b[table] ?? [];
    if (x.length !== y.length) out.push(`${label} ${table}: ${x.length} rows vs ${y.length}`);
    const n = Math.min(x.length, y.length);
    let shown = 0;
    for (let i = 0; i < n && shown < 3; i++) {
      const fields = Object.keys({ ...x[i], ...y[i] }).filter(
        (k) => JSON.stringify(x[i]?.[k]) !== JSON.stringify(y[i]?.[k]),
      );
      if (fields.length === 0) continue;
      shown++;
      const id = x[i]?.ticker ?? x[i]?.sector ?? x[i]?.industry ?? i;
      out.push(`${label} ${table} ${String(id)}: ${fields.join(", ")}`);
    }
  }
  return out;
}

let daily: Store;
let backfilled: Store;
const dailyDays = new Map<string, Record<string, Rows>>();
const backfilledDays = new Map<string, Record<string, Rows>>();
const rerunDiffs: string[] = [];

/** The sparse price history, through the same backfill command a user would run. */
async function loadPrices(resources: Resources) {
  for (const [from, to] of PRICE_RANGES) {
    const summary = await backfill(graph, "fintra_universe,datos_eod", resources, { from, to });
    expect(summary.exitCode, `prices ${from}..${to}`).toBe(0);
  }
}

async function runDaily(): Promise<void> {
  for (const [i, d] of DAYS.entries()) {
    const market = await startTestMarket({
      tickers: TICKERS,
      asOf: d,
      seed: SEED,
      historyYears: HISTORY_YEARS,
    });
    try {
      const resources = clockedResources(daily, market);
      if (i === 0) await loadPrices(resources);
      const summary = await materialize(graph, "*", resources, { partition: d });
      const failed = summary.outcomes.filter(
        (o) => o.status !== "succeeded" && o.status !== "fresh",
      );
      expect(failed, `daily ${d}`).toEqual([]);
      dailyDays.set(d, await capture(daily, d));
      if (d === LAST) rerunDiffs.push(...(await rerunChangesNothing(daily, resources, d, {})));
    } finally {
      await market.close();
    }
  }
}

async function runBackfill(): Promise<void> {
  const market = await startTestMarket({
    tickers: TICKERS,
    asOf: LAST,
    seed: SEED,
    historyYears: HISTORY_YEARS,
  });
  try {
    const resources = clockedResources(backfilled, market);
    await loadPrices(resources);
    const window = { from: FIRST, to: LAST };
    const state = await backfill(graph, latestState.join(","), resources, window);
    expect(state.exitCode).toBe(0);
    for (const d of DAYS) {
      const summary = await backfill(graph, partitioned.join(","), resources, { from: d, to: d });
      expect(summary.days.map((o) => [o.partition, o.status, o.note])).toEqual([[d, "done", ""]]);
      backfilledDays.set(d, await capture(backfilled, d));
    }
    rerunDiffs.push(...(await rerunChangesNothing(backfilled, resources, DAYS[1], RERUN_DROP)));
  } finally {
    await market.close();
  }
}

/**
 * datos_financieros.data_freshness is days from the period end to the day of the run that
 * last wrote the row (its doc): a rerun of an older day restates it, by definition.
 */
const RERUN_DROP: Record<string, string[]> = { datos_financieros: ["data_freshness"] };

/** Forces every partitioned asset of day `d` again; returns what changed in any day's rows. */
async function rerunChangesNothing(
  store: Store,
  resources: Resources,
  d: string,
  drop: Record<string, string[]>,
): Promise<string[]> {
  const before = await Promise.all(DAYS.map((x) => capture(store, x, drop)));
  const rerun = await backfill(graph, partitioned.join(","), resources, {
    from: d,
    to: d,
    force: true,
  });
  expect(rerun.days.map((o) => [o.status, o.note])).toEqual([["done", ""]]);
  const after = await Promise.all(DAYS.map((x) => capture(store, x, drop)));
  return DAYS.flatMap((x, i) => differences(`rerun of ${d}, day ${x}`, before[i]!, after[i]!));
}

beforeAll(async () => {
  [daily, backfilled] = await Promise.all([openTestStore(), openTestStore()]);
  await runDaily();
  await runBackfill();
}, 240_000);

afterAll(async () => {
  await Promise.all([daily?.close(), backfilled?.close()]);
});

describe("point in time: a backfill rebuilds the daily runs' rows", () => {
  it("compares every partitioned table of the daily chain, or says why not", () => {
    const tables = partitioned.flatMap((k) => graph.get(k).tables?.map((t) => t.name) ?? [k]);
    const covered = [...COMPARED.map((c) => c.table), ...Object.keys(NOT_COMPARED)];
    expect(new Set(tables)).toEqual(new Set(covered));
  });

  it("has something to compare on every day, statements filed in between included", () => {
    for (const d of DAYS) {
      const rows = dailyDays.get(d) ?? {};
      for (const c of COMPARED) expect(rows[c.table]?.length, `${c.table} ${d}`).toBeGreaterThan(0);
    }
    // JQOI's fiscal 2026 statements are filed on the last day: its score moves to them.
    const inputs = (d: string) =>
      dailyDays.get(d)?.financial_scores?.find((r) => r.ticker === "JQOI")?.inputs_period_label;
    expect(inputs(DAYS[2])).not.toBe(inputs(LAST));
  });

  for (const d of DAYS) {
    it(`${d}: the same rows in every compared table`, () => {
      const a = dailyDays.get(d);
      const b = backfilledDays.get(d);
      expect(a && b).toBeTruthy();
      expect(differences(d, a!, b!)).toEqual([]);
      expect(b).toEqual(a);
    });
  }

  it("a forced rerun of the last day, or of a past one, changes no row of any day", () => {
    expect(rerunDiffs).toEqual([]);
  });
});
