/**
 * The statement assets keep their history and lose no company to a missing file (issue 10,
 * findings 1 and 13), end to end on the sandbox market:
 * - a first run cut short after its first periods (FMP answers 403 to a later file) leaves
 *   the next run on the full fiscal-year window: an ordinary rerun writes exactly the rows
 *   of a clean first run (datos_financieros and datos_dividendos);
 * - a quarter whose cash-flow file lacks some companies still gets their row from the
 *   income and balance files (cash-flow figures null, `statements` says so); a later run
 *   that sees the cash-flow file completes it, and a run whose file lacks it again keeps
 *   what it had. After each, the table equals a clean run's.
 * The cut-short runs run on PGlite and, when DATABASE_URL is set, on Postgres; the clean
 * reference is PGlite's. The files come from the sandbox through a small proxy that drops
 * some companies' rows from a file, as FMP's bulk files do.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import datosDividendos, { dividendsTable } from "../../../assets/statements/datos_dividendos.ts";
import datosFinancieros, {
  type FinancialsRow,
  financialsTable,
} from "../../../assets/statements/datos_financieros.ts";
import type { Store, TableSpec } from "../../../db/index.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { createFmpClient, type FmpClient } from "../../../sources/fmp/index.ts";
import { SANDBOX_API_KEY } from "../../../sources/sandbox/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { type Backend, openTestStore } from "../../helpers/store.ts";
import { startFaultServer } from "../../sources/fmp/helpers/fault-server.ts";

const DAY = "2026-11-25";
const MARKET = { tickers: 40, asOf: "2026-11-27" };
const graph = [fintraUniverse, datosFinancieros, datosDividendos];

/** The market's clock, a second later on every call, so each run has its own updated_at. */
function ticking(store: Store, market: TestMarket, fmp?: () => FmpClient): Resources {
  const base = marketResources(store, market);
  let tick = 0;
  const start = base.now().getTime();
  return { ...base, ...(fmp ? { fmp } : {}), now: () => new Date(start + 1000 * tick++) };
}

/** Every row of a table but its run stamp, in key order. */
async function content<Row extends { updated_at: string }>(store: Store, table: TableSpec<Row>) {
  const rows = await store.readAll(table);
  const keyOf = (r: Row) => table.key.map((k) => String(r[k])).join("|");
  return rows
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1))
    .map(({ updated_at: _, ...rest }) => rest);
}

async function lastRun(store: Store, asset: string) {
  const [m] = await store.ledger.history({ asset, limit: 1 });
  if (!m) throw new Error(`no ${asset} run`);
  return m;
}

async function run(resources: Resources, selection: string, force = false) {
  const summary = await runAssets(graph, selection, resources, { partition: DAY, force });
  return summary.outcomes.map((o) => [o.asset, o.status]);
}

/**
 * A proxy in front of the sandbox that drops the rows of `dropped` tickers from one
 * statement file (endpoint, fiscal year, period) while `active` says so.
 */
async function startDroppingProxy(
  market: TestMarket,
  file: { endpoint: string; year: number; period: string },
  dropped: ReadonlySet<string>,
) {
  const state = { active: true };
  const server = await startFaultServer(({ path, query }) => {
    const upstream = `${market.server.url}/${path}?${query}`;
    const filtered =
      state.active &&
      path === file.endpoint &&
      query.get("year") === String(file.year) &&
      query.get("period") === file.period;
    return {
      stream: () =>
        Readable.from(
          (async function* () {
            const text = await (await fetch(upstream)).text();
            yield filtered ? dropRows(text, dropped) : text;
          })(),
        ),
    };
  });
  const client = createFmpClient({
    apiKey: SANDBOX_API_KEY,
    baseUrl: server.baseUrl,
    ratePerMinute: 100_000,
    backoff: { minMs: 5, maxMs: 20 },
    timeoutMs: 5_000,
  });
  return { server, state, fmp: () => client };
}

/** The CSV without the rows of `tickers` (symbol column found in the header). */
function dropRows(csv: string, tickers: ReadonlySet<string>): string {
  const [header = "", ...lines] = csv.split("\n");
  const column = header.split(",").findIndex((c) => c.replaceAll('"', "") === "symbol");
  const kept = lines.filter((line) => {
    const symbol = line.split(",")[column]?.replaceAll('"', "");
    return !symbol || !tickers.has(symbol);
  });
  return [header, ...kept].join("\n");
}

let clean: Store;
let market: TestMarket;

beforeAll(async () => {
  [clean, market] = await Promise.all([openTestStore(), startTestMarket(MARKET)]);
  expect(await run(ticking(clean, market), "*")).toEqual([
    ["fintra_universe", "succeeded"],
    ["datos_financieros", "succeeded"],
    ["datos_dividendos", "succeeded"],
  ]);
}, 120_000);

afterAll(async () => {
  await market?.close();
  await clean?.close();
});

/** A cut-short run heals on both SQL backends (Postgres when DATABASE_URL is set). */
const BACKENDS: Backend[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

describe.each(BACKENDS)("a first run cut short (%s)", (backend) => {
  let store: Store;
  const faulty: TestMarket[] = [];

  // The fixture: the universe both statement assets read.
  beforeAll(async () => {
    store = await openTestStore(backend);
    expect(await run(ticking(store, market), "fintra_universe")).toEqual([
      ["fintra_universe", "succeeded"],
    ]);
  });
  afterAll(async () => {
    await Promise.all(faulty.map((m) => m.close()));
    await store?.close();
  });

  /** The same market, whose cash-flow file number `nth` (one per load step) answers 403. */
  async function cutAt(nth: number) {
    const m = await startTestMarket({
      ...MARKET,
      faults: { serverError: { status: 403, endpoints: ["cash-flow-statement-bulk"], every: nth } },
    });
    faulty.push(m);
    return ticking(store, m);
  }

  it("datos_financieros: the rerun fetches the full window and writes a clean run's rows", async () => {
    // Load steps run FY, Q1..Q4 per fiscal year from 2020: the 9th is 2021Q3.
    expect(await run(await cutAt(9), "datos_financieros")).toEqual([
      ["datos_financieros", "failed"],
    ]);
    const cut = await lastRun(store, "datos_financieros");
    expect(cut).toMatchObject({ status: "failed" });
    expect(cut.error).toMatch(/403/);
    // The cut run left history rows behind (fiscal 2020 and early 2021): rows that exist.
    const left = await store.readAll(financialsTable, { columns: ["fiscal_year"] });
    expect(left.length).toBeGreaterThan(0);
    expect(Math.max(...left.map((r) => r.fiscal_year))).toBe(2021);

    expect(await run(ticking(store, market), "datos_financieros")).toEqual([
      ["datos_financieros", "succeeded"],
    ]);
    expect(await content(store, financialsTable)).toEqual(await content(clean, financialsTable));
    expect((await lastRun(store, "datos_financieros")).metadata).toMatchObject({
      window: "full",
      fiscalYears: [2020, 2027],
      historyCovered: [[2020, 2025]],
    });
  });

  it("datos_dividendos: the same, one load step per fiscal year", async () => {
    // Dividends' 4th cash-flow file is fiscal 2023: 2020..2022 are in the table.
    expect(await run(await cutAt(4), "datos_dividendos")).toEqual([["datos_dividendos", "failed"]]);
    expect(await lastRun(store, "datos_dividendos")).toMatchObject({ status: "failed" });
    const left = await store.readAll(dividendsTable, { columns: ["year"] });
    expect(Math.max(...left.map((r) => r.year))).toBe(2022);

    expect(await run(ticking(store, market), "datos_dividendos")).toEqual([
      ["datos_dividendos", "succeeded"],
    ]);
    expect(await content(store, dividendsTable)).toEqual(await content(clean, dividendsTable));
    expect((await lastRun(store, "datos_dividendos")).metadata).toMatchObject({
      window: "full",
      fiscalYears: [2020, 2027],
      historyCovered: [[2020, 2025]],
    });
  });
});

describe("a quarter's cash-flow file that lacks some companies", () => {
  let store: Store;
  let proxy: Awaited<ReturnType<typeof startDroppingProxy>>;
  let dropped: string[];
  // The fixture: a first run while the file lacks them, and what it left.
  let first: Awaited<ReturnType<typeof run>>;
  let firstRows: FinancialsRow[];
  let firstRun: Awaited<ReturnType<typeof lastRun>>;
  let firstContent: Awaited<ReturnType<typeof content<FinancialsRow>>>;
  const rowOf = (rows: FinancialsRow[], ticker: string, type: string, label: string) =>
    rows.find((r) => r.ticker === ticker && r.period_type === type && r.period_label === label);

  beforeAll(async () => {
    store = await openTestStore();
    const cleanRows = await clean.readAll(financialsTable, { where: { period_label: "2026Q1" } });
    // Companies with a fiscal 2026 Q1 and a TTM ending at it in the clean run.
    dropped = [...new Set(cleanRows.filter((r) => r.period_type === "TTM").map((r) => r.ticker))]
      .sort()
      .slice(0, 5);
    expect(dropped).toHaveLength(5);
    proxy = await startDroppingProxy(
      market,
      { endpoint: "cash-flow-statement-bulk", year: 2026, period: "Q1" },
      new Set(dropped),
    );
    first = await run(ticking(store, market, proxy.fmp), "fintra_universe,datos_financieros");
    firstRows = await store.readAll(financialsTable);
    firstRun = await lastRun(store, "datos_financieros");
    firstContent = await content(store, financialsTable);
  }, 120_000);
  afterAll(async () => {
    await proxy?.server.close();
    await store?.close();
  });

  it("writes their quarter from the income and balance files, cash-flow figures null", async () => {
    expect(first).toEqual([
      ["fintra_universe", "succeeded"],
      ["datos_financieros", "succeeded"],
    ]);
    const rows = firstRows;
    const reference = await clean.readAll(financialsTable);
    for (const ticker of dropped) {
      const full = rowOf(reference, ticker, "Q", "2026Q1")!;
      expect(rowOf(rows, ticker, "Q", "2026Q1"), ticker).toMatchObject({
        statements: ["income", "balance"],
        revenue: full.revenue,
        net_margin: full.net_margin,
        total_equity: full.total_equity,
        operating_cash_flow: null,
        capex: null,
        free_cash_flow: null,
        data_completeness: full.data_completeness - 20,
      });
      // Its TTM sums the income figures; the cash flows need all 4 quarters.
      const ttm = rowOf(reference, ticker, "TTM", "2026Q1")!;
      expect(rowOf(rows, ticker, "TTM", "2026Q1"), ticker).toMatchObject({
        statements: ["income", "balance"],
        revenue: ttm.revenue,
        operating_cash_flow: null,
        free_cash_flow: null,
      });
    }
    expect(firstRun.metadata.incompletePeriods).toBe(dropped.length);
    // Everything else is as in a clean run.
    const others = (list: Awaited<ReturnType<typeof content<FinancialsRow>>>) =>
      list.filter((r) => !(dropped.includes(r.ticker) && r.fiscal_year >= 2026));
    expect(others(firstContent)).toEqual(others(await content(clean, financialsTable)));
  });

  it("completes the rows when a later run sees the companies in the file, and keeps the cash-flow figures when the file lacks them again", async () => {
    proxy.state.active = false;
    expect(await run(ticking(store, market, proxy.fmp), "datos_financieros", true)).toEqual([
      ["datos_financieros", "succeeded"],
    ]);
    expect(await content(store, financialsTable)).toEqual(await content(clean, financialsTable));

    proxy.state.active = true;
    expect(await run(ticking(store, market, proxy.fmp), "datos_financieros", true)).toEqual([
      ["datos_financieros", "succeeded"],
    ]);
    const last = await lastRun(store, "datos_financieros");
    expect(last.metadata).toMatchObject({
      incompletePeriods: dropped.length,
      filledFromTable: dropped.length,
    });
    expect(await content(store, financialsTable)).toEqual(await content(clean, financialsTable));
  });
});
