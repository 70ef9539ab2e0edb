/**
 * datos_eod and datos_valuacion on the sandbox, including a faulty market:
 * retries complete the run, bad rows are counted, nothing is duplicated.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import datosEod, { datosEodTable, rejectPrice } from "../../../assets/datos_eod.ts";
import datosValuacion, {
  datosValuacionTable,
  positivePercentiles,
} from "../../../assets/datos_valuacion.ts";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import type { Store } from "../../../db/index.ts";
import { backfill } from "../../../runtime/backfill.ts";
import { defineAsset } from "../../../runtime/define.ts";
import { AssetGraph } from "../../../runtime/graph.ts";
import { assetStatuses } from "../../../runtime/status.ts";
import type { EodRow } from "../../../sources/fmp/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

const ASSETS = [fintraUniverse, datosEod, datosValuacion];

describe("datos_eod on a clean market", () => {
  let store: Store;
  let market: TestMarket;
  // The fixture: 2026-11-25 loaded, with the run that loaded it.
  let loaded: Awaited<ReturnType<typeof runAssets>>;
  let loadedRun: Awaited<ReturnType<Store["ledger"]["history"]>>[number] | undefined;
  beforeAll(async () => {
    store = await openTestStore();
    market = await startTestMarket({ tickers: 100, asOf: "2026-11-27" });
    loaded = await runAssets(ASSETS, "+datos_eod", marketResources(store, market), {
      partition: "2026-11-25",
    });
    [loadedRun] = await store.ledger.history({ asset: "datos_eod", limit: 1 });
  }, 120_000);
  afterAll(async () => {
    await market.close();
    await store.close();
  });

  it("loads the day's prices of every active symbol, SPY included", async () => {
    expect(loaded.exitCode).toBe(0);
    const prices = await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } });
    const served = market.market.eodRows.bind(market.market);
    const expected = [...served("2026-11-25")];
    const active = new Set(
      (await store.readAll(universeTable, { where: { is_active: true } })).map((u) => u.ticker),
    );
    expect(prices.length).toBe(expected.filter((r) => active.has(r.symbol)).length);
    const spy = prices.find((p) => p.ticker === "SPY");
    const spyServed = expected.find((r) => r.symbol === "SPY");
    expect(spy).toMatchObject({
      close: spyServed?.close,
      adj_close: spyServed?.adjClose,
      source: "fmp_eod_bulk",
    });
    expect(loadedRun).toMatchObject({ partition: "2026-11-25", checksPassed: true });
  });

  it("rerunning a partition changes no row", async () => {
    const before = await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } });
    const rerun = await runAssets(ASSETS, "datos_eod", marketResources(store, market), {
      partition: "2026-11-25",
      force: true,
    });
    expect(rerun.exitCode).toBe(0);
    expect(await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } })).toEqual(
      before,
    );
  });

  it("refuses a holiday by name before anything runs: no row, no failed ledger row", async () => {
    const before = (await store.ledger.history({})).length;
    await expect(
      runAssets(ASSETS, "+datos_eod", marketResources(store, market), {
        partition: "2026-11-26",
      }),
    ).rejects.toThrow(
      "2026-11-26 is Thanksgiving Day: no trading; the trading date before it is 2026-11-25",
    );
    expect(await store.readAll(datosEodTable, { where: { price_date: "2026-11-26" } })).toEqual([]);
    expect((await store.ledger.history({})).length).toBe(before);
  });

  it("refuses a date before the calendar (1900-01-01) without writing a ledger row", async () => {
    const before = (await store.ledger.history({})).length;
    await expect(
      runAssets(ASSETS, "datos_eod", marketResources(store, market), { partition: "1900-01-01" }),
    ).rejects.toThrow(/^1900-01-01 is before 2000-01-03, the first date of the exchange calendar/);
    expect((await store.ledger.history({})).length).toBe(before);
  });

  it("prices a scoped run's tickers only", async () => {
    const summary = await runAssets(ASSETS, "datos_eod", marketResources(store, market), {
      partition: "2026-11-24",
      scope: { tickers: ["SPY"] },
    });
    expect(summary.outcomes[0]).toMatchObject({ status: "succeeded", rows: 1 });
  });

  it("values today's partition with sector percentiles, and refuses to rebuild a past one", async () => {
    const today = await runAssets(ASSETS, "+datos_valuacion", marketResources(store, market), {
      partition: "2026-11-27",
    });
    expect(today.exitCode).toBe(0);
    const rows = await store.readAll(datosValuacionTable, {
      where: { valuation_date: "2026-11-27" },
    });
    expect(rows.length).toBeGreaterThan(30);
    const closes = new Map(
      (await store.readAll(datosEodTable, { where: { price_date: "2026-11-27" } })).map((p) => [
        p.ticker,
        p.close,
      ]),
    );
    expect(rows.every((r) => r.price === closes.get(r.ticker) && r.sector)).toBe(true);
    expect(rows.some((r) => r.pe_percentile !== null && r.composite_percentile !== null)).toBe(
      true,
    );

    const past = await runAssets(ASSETS, "datos_valuacion", marketResources(store, market), {
      partition: "2026-11-25",
    });
    expect(past.outcomes[0]).toMatchObject({ status: "succeeded", rows: 0 });
    expect(
      await store.readAll(datosValuacionTable, { where: { valuation_date: "2026-11-25" } }),
    ).toEqual([]);
  });
});

describe("datos_eod on a faulty market", () => {
  let store: Store;
  let market: TestMarket;
  beforeAll(async () => {
    // 5% malformed rows, above the default 2% cap: this test is about retries and counting.
    vi.stubEnv("FINTRA_MAX_SKIPPED_SHARE", "0.1");
    store = await openTestStore();
    market = await startTestMarket({
      tickers: 100,
      asOf: "2026-11-27",
      faults: {
        rateLimit: { endpoints: ["eod-bulk"], first: 2, retryAfterSeconds: 0 },
        serverError: { endpoints: ["profile-bulk"], first: 1 },
        truncate: { endpoints: ["eod-bulk"], every: 3, afterBytes: 1500 },
        malformedRows: { endpoints: ["eod-bulk"], rate: 0.05, seed: 3 },
      },
    });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await market.close();
    await store.close();
  });

  it("completes with retries, counts bad rows, and writes each price once", async () => {
    const summary = await runAssets(ASSETS, "+datos_eod", marketResources(store, market), {
      partition: "2026-11-25",
    });
    expect(summary.exitCode).toBe(0);
    const [m] = await store.ledger.history({ asset: "datos_eod", limit: 1 });
    const metadata = m?.metadata as { skipped: number; retries: number; skippedSamples: unknown[] };
    expect(metadata.skipped).toBeGreaterThan(0);
    expect(metadata.skippedSamples.length).toBeGreaterThan(0);
    expect(metadata.retries).toBeGreaterThanOrEqual(2);
    expect(market.server.stats.faults.rateLimited).toBe(2);
    expect(market.server.stats.faults.serverErrors).toBe(1);
    const prices = await store.readAll(datosEodTable, { where: { price_date: "2026-11-25" } });
    expect(new Set(prices.map((p) => p.ticker)).size).toBe(prices.length);
    expect(prices.length + metadata.skipped).toBeGreaterThanOrEqual(90);
  });
});

describe("datos_eod when the day's file is late", () => {
  let store: Store;
  let late: TestMarket;
  // Friday 2026-12-04 is a trading day; the sandbox has only published up to Thursday.
  const friday = "2026-12-04";
  const evening = new Date(`${friday}T23:00:00Z`);
  beforeAll(async () => {
    store = await openTestStore();
    late = await startTestMarket({ tickers: 40, asOf: "2026-12-03" });
  });
  afterAll(async () => {
    await late.close();
    await store.close();
  });

  it("says 'not published yet' (not 'holiday'), writes nothing, and downstream waits saying why", async () => {
    const resources = { db: store, fmp: late.fmp, sec: late.sec, now: () => evening };
    const summary = await runAssets(ASSETS, "+datos_valuacion", resources, { partition: friday });
    const eod = summary.outcomes.find((o) => o.asset === "datos_eod");
    expect(eod).toMatchObject({
      errorName: "NotPublishedError",
      reason: `prices for ${friday} are not published yet: FMP's EOD file for that trading day is empty; retry later`,
    });
    expect(eod?.status).toBe("waiting");
    // The dependent goes through the gate, which names the wait; the run exits 3, not 1.
    expect(summary.outcomes.find((o) => o.asset === "datos_valuacion")).toMatchObject({
      status: "waiting",
      reason: `waiting for datos_eod: ${eod?.reason}`,
    });
    expect(summary.exitCode).toBe(3);
    expect(await store.readAll(datosEodTable, { where: { price_date: friday } })).toEqual([]);

    const statuses = await assetStatuses(store, new AssetGraph(ASSETS), evening);
    const byKey = Object.fromEntries(statuses.map((s) => [s.key, s]));
    expect(byKey.datos_eod).toMatchObject({ state: "waiting", reason: eod?.reason });
    expect(byKey.datos_valuacion).toMatchObject({
      state: "waiting",
      reason: `waiting for datos_eod: ${eod?.reason}`,
    });
  });

  it("a backfill reports the late day as waiting (exit 3), never as a holiday or a failure", async () => {
    const resources = { db: store, fmp: late.fmp, sec: late.sec, now: () => evening };
    // The universe datos_eod reads (a no-op when an earlier run loaded it).
    const universe = await runAssets(ASSETS, "fintra_universe", resources, { partition: friday });
    expect(universe.exitCode).toBe(0);
    const summary = await backfill(new AssetGraph(ASSETS), "datos_eod", resources, {
      from: "2026-12-02",
      to: friday,
    });
    expect(summary.days.map((d) => [d.partition, d.status])).toEqual([
      ["2026-12-02", "done"],
      ["2026-12-03", "done"],
      [friday, "waiting"],
    ]);
    expect(summary.exitCode).toBe(3);
  });

  it("once the file is published, the next run loads the day", async () => {
    // A store of its own: the day loaded here stays late for the tests above.
    const [own, published] = await Promise.all([
      openTestStore(),
      startTestMarket({ tickers: 40, asOf: friday }),
    ]);
    try {
      const waited = await runAssets(
        ASSETS,
        "+datos_eod",
        { db: own, fmp: late.fmp, sec: late.sec, now: () => evening },
        { partition: friday },
      );
      expect(waited.exitCode).toBe(3);
      const resources = { db: own, fmp: published.fmp, sec: published.sec, now: () => evening };
      const summary = await runAssets(ASSETS, "+datos_eod", resources, { partition: friday });
      expect(summary.exitCode).toBe(0);
      const prices = await own.readAll(datosEodTable, { where: { price_date: friday } });
      expect(prices.length).toBeGreaterThan(20);
      const statuses = await assetStatuses(own, new AssetGraph(ASSETS), evening);
      expect(statuses.find((s) => s.key === "datos_eod")?.state).toBe("fresh");
    } finally {
      await published.close();
      await own.close();
    }
  });
});

describe("datos_eod across Thanksgiving", () => {
  let store: Store;
  let market: TestMarket;
  beforeAll(async () => {
    store = await openTestStore();
    market = await startTestMarket({ tickers: 20, asOf: "2026-11-30" });
  });
  afterAll(async () => {
    await market.close();
    await store.close();
  });

  it("backfills the trading days only, lists the holiday and fails nothing", async () => {
    const summary = await backfill(
      new AssetGraph(ASSETS),
      "+datos_eod",
      marketResources(store, market),
      { from: "2026-11-23", to: "2026-11-30" },
    );
    expect(summary.exitCode).toBe(0);
    expect(summary.days.map((d) => [d.partition, d.status])).toEqual([
      ["2026-11-23", "done"],
      ["2026-11-24", "done"],
      ["2026-11-25", "done"],
      ["2026-11-27", "done"],
      ["2026-11-30", "done"],
    ]);
    expect(summary.holidays).toEqual([{ date: "2026-11-26", name: "Thanksgiving Day" }]);
    const runs = await store.ledger.history({ asset: "datos_eod" });
    expect(runs.filter((m) => m.status !== "succeeded")).toEqual([]);
    expect(runs.map((m) => m.partition).sort()).toEqual([
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-27",
      "2026-11-30",
    ]);
  });
});

describe("the cap on skipped rows", () => {
  // A cheap reader of datos_eod: what matters is whether the gate lets it run.
  const reader = defineAsset({
    key: "eod_reader",
    description: "reads datos_eod",
    deps: ["datos_eod"],
    partitioned: true,
    materialize: async () => ({ rows: 0 }),
  });
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());
  // Each case prices its own day, so the two share one database.
  const run = async (rate: number, day: string) => {
    const market = await startTestMarket({
      tickers: 400,
      asOf: "2026-11-27",
      faults: { malformedRows: { endpoints: ["eod-bulk"], rate, seed: 5 } },
    });
    try {
      const summary = await runAssets(
        [fintraUniverse, datosEod, reader],
        "+eod_reader",
        marketResources(store, market),
        { partition: day },
      );
      const [eod] = await store.ledger.history({ asset: "datos_eod", limit: 1 });
      const checks = eod ? await store.ledger.checks(eod.id) : [];
      return { summary, eod, cap: checks.find((c) => c.name === "skipped_rows_within_cap") };
    } finally {
      await market.close();
    }
  };

  it("fails datos_eod's error check at 40% malformed rows, naming the share and samples; downstream is blocked", async () => {
    const { summary, eod, cap } = await run(0.4, "2026-11-27");
    expect(summary.exitCode).toBe(1);
    const outcome = (key: string) => summary.outcomes.find((o) => o.asset === key);
    expect(outcome("datos_eod")?.status).toBe("failed");
    expect(outcome("datos_eod")?.reason).toMatch(
      /^check skipped_rows_within_cap failed: \d+ of \d+ source rows skipped \((3[5-9]|4\d)\.\d%\), above the cap of 2\.0% \(FINTRA_MAX_SKIPPED_SHARE\); e\.g\. row \d+/,
    );
    expect(outcome("eod_reader")).toMatchObject({
      status: "blocked",
      reason: "upstream failed in this run: datos_eod",
    });
    expect(eod?.checksPassed).toBe(false);
    expect(cap).toMatchObject({ passed: false, severity: "error" });
    expect(cap?.value).toBeGreaterThan(0.3);
  });

  it("passes at 1% malformed rows", async () => {
    const { summary, cap } = await run(0.01, "2026-11-25");
    expect(summary.exitCode).toBe(0);
    expect(cap?.passed).toBe(true);
    expect(cap?.value).toBeGreaterThan(0);
    expect(cap?.value).toBeLessThan(0.02);
  });
});

describe("the price quality gate", () => {
  const row = (over: Partial<EodRow>): EodRow =>
    ({
      symbol: "AAA",
      date: "2026-11-25",
      open: 10,
      high: 11,
      low: 9,
      close: 10.5,
      adjClose: 10.5,
      volume: 100,
      ...over,
    }) as EodRow;
  it("rejects rows that cannot be a trading day's bar", () => {
    expect(rejectPrice(row({}), "2026-11-25")).toBeNull();
    expect(rejectPrice(row({ volume: 0 }), "2026-11-25")).toBe("no_volume");
    expect(rejectPrice(row({ adjClose: null }), "2026-11-25")).toBe("missing_price");
    expect(rejectPrice(row({ high: 10.2 }), "2026-11-25")).toBe("high_below_body");
    expect(rejectPrice(row({ low: 10.2 }), "2026-11-25")).toBe("low_above_body");
    expect(rejectPrice(row({}), "2026-11-24")).toBe("wrong_date");
  });
  it("ranks positive multiples only, ties counted as at-or-below", () => {
    expect(positivePercentiles([10, 20, 20, 40, -5, null, 0])).toEqual([
      25,
      75,
      75,
      100,
      null,
      null,
      null,
    ]);
  });
});
