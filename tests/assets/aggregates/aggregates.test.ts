/**
 * The sector and industry aggregates end to end on the sandbox market, with the real
 * upstream assets (universe, profiles, taxonomy, membership, prices, financials, TTM
 * valuation): rows for the day with their checks passing, figures that agree with an
 * independent count of the inputs, the same rows on a rerun, nothing touched by a scoped
 * run, and an earlier partition built only from what was filed by then.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import industryBenchmarks, {
  industryBenchmarksTable,
} from "../../../assets/aggregates/industry_benchmarks.ts";
import industryPe, { industryPeTable } from "../../../assets/aggregates/industry_pe.ts";
import industryStats, { industryStatsTable } from "../../../assets/aggregates/industry_stats.ts";
import sectorBenchmarks, {
  CORE_METRICS,
  type SectorBenchmarkRecord,
  sectorBenchmarksTable,
} from "../../../assets/aggregates/sector_benchmarks.ts";
import sectorPe, { sectorPeTable } from "../../../assets/aggregates/sector_pe.ts";
import sectorStats, { sectorStatsTable } from "../../../assets/aggregates/sector_stats.ts";
import assetIndustryMap, { assetIndustryMapTable } from "../../../assets/asset_industry_map.ts";
import companyProfiles from "../../../assets/company_profiles.ts";
import datosEod from "../../../assets/datos_eod.ts";
import datosValuacionTtm, { ttmValuationTable } from "../../../assets/datos_valuacion_ttm.ts";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import industryClassification, {
  industryClassificationTable,
} from "../../../assets/industry_classification.ts";
import datosFinancieros, { financialsTable } from "../../../assets/statements/datos_financieros.ts";
import type { Store } from "../../../db/index.ts";
import { benchmarksAsOf } from "../../../engines/benchmarks.ts";
import { median } from "../../../engines/math.ts";
import { runCheck } from "../../../runtime/define.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { runAssets, startTestMarket, type TestMarket } from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";
import { backfillMonthEnds, lastRun, tickingResources } from "./helpers.ts";

const DAY = "2026-11-27";
const EARLIER = "2026-08-31";

const AGGREGATES = [
  sectorPe,
  industryPe,
  sectorBenchmarks,
  sectorStats,
  industryStats,
  industryBenchmarks,
];
const ASSETS = [
  fintraUniverse,
  companyProfiles,
  industryClassification,
  assetIndustryMap,
  datosEod,
  datosFinancieros,
  datosValuacionTtm,
  ...AGGREGATES,
];
const TABLES = [
  "sector_pe",
  "industry_pe",
  "sector_benchmarks",
  "sector_stats",
  "industry_stats",
  "industry_benchmarks",
];

let store: Store;
let market: TestMarket;
let resources: Resources;

/** Every row of the aggregate tables with its row version (xmin changes when a row is rewritten). */
async function snapshotTables(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[t] = await store.readOnlyQuery(
      `SELECT xmin::text AS version, * FROM ${t} ORDER BY 1, 2, 3, 4`,
    );
  }
  return out;
}

/** Day D's constituents counted independently: sector, industry, latest valuation, financials. */
async function independentInputs(day: string) {
  const [universe, map, taxonomy, valuations, financials] = await Promise.all([
    store.readAll(universeTable, { where: { instrument_type: "EQUITY" } }),
    store.readAll(assetIndustryMapTable),
    store.readAll(industryClassificationTable),
    store.readAll(ttmValuationTable),
    store.readAll(financialsTable, { where: { period_type: { in: ["TTM", "FY"] } } }),
  ]);
  const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;
  const companies = [];
  for (const u of universe) {
    if (!u.is_active && u.last_seen < day) continue;
    const m = map.find(
      (r) =>
        r.ticker === u.ticker &&
        r.effective_from <= day &&
        (r.effective_to === null || r.effective_to >= day),
    );
    const industry = taxonomy.find((i) => i.industry_code === m?.industry_code);
    if (!industry) continue;
    const valuation = valuations
      .filter(
        (v) =>
          v.ticker === u.ticker &&
          v.valuation_date <= day &&
          v.filing_date <= day &&
          days(v.valuation_date, day) <= 200,
      )
      .sort((a, b) => (a.valuation_date < b.valuation_date ? 1 : -1))[0];
    const fin = financials
      .filter(
        (f) =>
          f.ticker === u.ticker &&
          f.period_end_date <= day &&
          f.filing_date <= day &&
          days(f.period_end_date, day) <= 550,
      )
      .sort((a, b) =>
        a.period_end_date !== b.period_end_date
          ? a.period_end_date < b.period_end_date
            ? 1
            : -1
          : a.period_type === "TTM"
            ? -1
            : 1,
      )[0];
    companies.push({ sector: industry.sector, industry: industry.industry_name, valuation, fin });
  }
  return companies;
}

const dayRuns = new Map<string, Awaited<ReturnType<typeof lastRun>>>();
const dayRun = (asset: string) => {
  const run = dayRuns.get(asset);
  if (!run) throw new Error(`no day's run of ${asset}`);
  return run;
};

beforeAll(async () => {
  [store, market] = await Promise.all([
    openTestStore(),
    startTestMarket({ tickers: 100, asOf: DAY, historyYears: 2 }),
  ]);
  resources = tickingResources(store, market);
  await backfillMonthEnds(ASSETS, resources, "2026-05", DAY);
  const summary = await runAssets(ASSETS, "*", resources, { partition: DAY });
  expect(summary.outcomes.filter((o) => o.status !== "succeeded" && o.status !== "fresh")).toEqual(
    [],
  );
  // The day's run of each aggregate, before any test reruns one.
  for (const asset of AGGREGATES) dayRuns.set(asset.key, await lastRun(store, asset.key));
});
afterAll(async () => {
  await market?.close();
  await store?.close();
});

describe("the aggregates of the day", () => {
  it("are built with every check passing", async () => {
    for (const asset of AGGREGATES) {
      const run = dayRun(asset.key);
      expect(run, asset.key).toMatchObject({ status: "succeeded", checksPassed: true });
      expect(run.rows, asset.key).toBeGreaterThan(0);
      const checks = await store.ledger.checks(run.id);
      expect(
        checks.filter((c) => !c.passed).map((c) => c.name),
        asset.key,
      ).toEqual([]);
    }
    const core = await store.readAll(sectorBenchmarksTable, {
      where: { snapshot_date: DAY, group_type: "sector", metric: { in: [...CORE_METRICS] } },
    });
    for (const metric of CORE_METRICS)
      expect(core.filter((r) => r.metric === metric).length).toBeGreaterThanOrEqual(8);
  });

  it("fail the coverage check when most constituents lack financials or sectors are missing", async () => {
    const check = sectorBenchmarks.checks!.find((c) => c.name === "core_metrics_sector_coverage")!;
    const run = dayRun("sector_benchmarks");
    const context = {
      db: store,
      asset: "sector_benchmarks",
      partition: DAY,
      runDate: DAY,
      scope: null,
    };
    const outcome = (metadata: Record<string, unknown>) =>
      runCheck(check, { ...context, result: { rows: run.rows ?? 0, metadata } });
    expect((await outcome(run.metadata)).passed).toBe(true);
    expect((await outcome({ ...run.metadata, withFinancials: 1 })).passed).toBe(false);
    // A market-sized day (11 possible sectors) needs 8; this small universe has fewer.
    const small = await outcome({ ...run.metadata, sectorsWithFinancials: 11 });
    expect(small.passed).toBe((small.value as number) >= 8);
    expect(small.message).toMatch(/expected 8/);
  });

  it("answer the operations guide's benchmark queries as written", async () => {
    const count = async (sql: string) =>
      Number((await store.readOnlyQuery(sql.replace("CURRENT_DATE", `DATE '${DAY}'`)))[0]?.count);
    const sectorRows = await count(
      "SELECT COUNT(*) FROM sector_benchmarks WHERE snapshot_date = CURRENT_DATE",
    );
    const industryRows = await count(
      "SELECT COUNT(*) FROM industry_benchmarks WHERE snapshot_date = CURRENT_DATE",
    );
    expect(sectorRows).toBeGreaterThanOrEqual(10); // the guide's alert
    expect(industryRows).toBeGreaterThan(0);
    // sector_benchmarks holds the industry rows too, the same ones industry_benchmarks has.
    const sectorsOnly = await count(
      "SELECT COUNT(*) FROM sector_benchmarks WHERE snapshot_date = CURRENT_DATE AND group_type = 'sector'",
    );
    expect(sectorRows - sectorsOnly).toBe(industryRows);
  });

  it("agree with an independent count of the constituents", async () => {
    const companies = await independentInputs(DAY);
    const sectorPeRows = await store.readAll(sectorPeTable, { where: { pe_date: DAY } });
    expect(sectorPeRows.length).toBeGreaterThanOrEqual(8);
    for (const row of sectorPeRows) {
      const kept = companies
        .filter((c) => c.sector === row.sector && c.valuation)
        .map((c) => c.valuation!)
        .filter((v) => v.pe_ratio !== null && v.pe_ratio > 0 && v.pe_ratio <= 100);
      expect(row.constituents, row.sector).toBe(kept.length);
      expect(row.pe).toBeCloseTo(median(kept.map((v) => v.pe_ratio))!, 9);
      const caps = kept.reduce((s, v) => s + v.market_cap!, 0);
      const weighted = kept.reduce((s, v) => s + v.market_cap! * v.pe_ratio!, 0) / caps;
      expect(row.pe_cap_weighted).toBeCloseTo(weighted, 9);
    }
    const industryPeRows = await store.readAll(industryPeTable, { where: { pe_date: DAY } });
    expect(industryPeRows.length).toBeGreaterThan(0);
    for (const row of industryPeRows) {
      const kept = companies.filter(
        (c) =>
          c.industry === row.industry &&
          c.valuation &&
          c.valuation.pe_ratio !== null &&
          c.valuation.pe_ratio > 0 &&
          c.valuation.pe_ratio <= 100,
      );
      expect([row.sector, row.constituents], row.industry).toEqual([kept[0]!.sector, kept.length]);
    }
    const benchmarks = await store.readAll(sectorBenchmarksTable, {
      where: { snapshot_date: DAY, group_type: "sector" },
    });
    for (const row of benchmarks.filter((b) => b.metric === "roic" || b.metric === "pe_ratio")) {
      const values = companies
        .filter((c) => c.sector === row.sector)
        .map((c) => (row.metric === "roic" ? c.fin?.roic : c.valuation?.pe_ratio))
        .filter(
          (v): v is number => v !== null && v !== undefined && (row.metric === "roic" || v > 0),
        );
      expect(row.sample_size, `${row.sector} ${row.metric}`).toBe(values.length);
    }
  });

  it("describe the same samples in every table, and the engines can read them", async () => {
    const sector = await store.readAll(sectorBenchmarksTable, { where: { snapshot_date: DAY } });
    const industry = await store.readAll(industryBenchmarksTable, {
      where: { snapshot_date: DAY },
    });
    const industryRows = sector.filter((r) => r.group_type === "industry");
    expect(industry.map((r) => [r.industry, r.metric, r.p10, r.p50, r.p90, r.sample_size])).toEqual(
      expect.arrayContaining(
        industryRows.map((r) => [r.sector, r.metric, r.p10, r.p50, r.p90, r.sample_size]),
      ),
    );
    expect(industry).toHaveLength(industryRows.length);
    const stats = await store.readAll(sectorStatsTable, { where: { stats_date: DAY } });
    const sectorRows = sector.filter((r) => r.group_type === "sector");
    expect(stats).toHaveLength(sectorRows.length);
    for (const s of stats) {
      const b = sectorRows.find((r) => r.sector === s.sector && r.metric === s.metric)!;
      expect(s.sample_size).toBe(b.sample_size);
      expect(s.median).toBeGreaterThanOrEqual(b.p25);
      expect(s.median).toBeLessThanOrEqual(b.p75);
    }
    const industryStatsRows = await store.readAll(industryStatsTable, {
      where: { stats_date: DAY },
    });
    expect(industryStatsRows).toHaveLength(industryRows.length);
    // What fintra_snapshots does: the sector's rows of the day, through the engines' loader.
    const tech = sectorRows.filter((r) => r.sector === "Technology");
    const map = benchmarksAsOf(tech, "Technology", DAY)!;
    expect(Object.keys(map)).toEqual(expect.arrayContaining(["roic", "net_margin", "market_cap"]));
  });
});

describe("reruns and scopes", () => {
  it("a rerun of the day rewrites no row", async () => {
    const before = await snapshotTables();
    const summary = await runAssets(ASSETS, AGGREGATES.map((a) => a.key).join(","), resources, {
      partition: DAY,
      force: true,
    });
    expect(summary.outcomes.map((o) => o.status)).toEqual(AGGREGATES.map(() => "succeeded"));
    expect(await snapshotTables()).toEqual(before);
  });

  it("a scoped run values its ticker and leaves every aggregate as it is", async () => {
    const before = await snapshotTables();
    const ticker = (await store.readAll(ttmValuationTable, { columns: ["ticker"] }))[0]!.ticker;
    const summary = await runAssets(ASSETS, "datos_valuacion_ttm+", resources, {
      partition: DAY,
      scope: { tickers: [ticker] },
    });
    expect(summary.outcomes.map((o) => [o.asset, o.status])).toEqual(
      expect.arrayContaining([
        ["datos_valuacion_ttm", "succeeded"],
        ...AGGREGATES.map((a) => [a.key, "succeeded"]),
      ]),
    );
    for (const asset of AGGREGATES) {
      const run = await lastRun(store, asset.key);
      expect(run.rows).toBe(0);
      expect(run.metadata.scoped).toMatch(/not rebuilt from a slice/);
    }
    expect((await lastRun(store, "datos_valuacion_ttm")).metadata.tickers).toBe(1);
    expect(await snapshotTables()).toEqual(before);
  });

  it("a rerun removes a group the day no longer produces", async () => {
    await store.upsert(sectorPeTable, [
      {
        sector: "Nowhere",
        pe_date: DAY,
        pe: 10,
        pe_cap_weighted: 10,
        p10: 10,
        p25: 10,
        p50: 10,
        p75: 10,
        p90: 10,
        constituents: 3,
        source: "constituents_ttm",
      },
    ]);
    await runAssets(ASSETS, "sector_pe", resources, { partition: DAY, force: true });
    expect((await lastRun(store, "sector_pe")).metadata.removed).toBe(1);
    const rows = await store.readAll(sectorPeTable, { where: { sector: "Nowhere" } });
    expect(rows).toEqual([]);
  });
});

describe("point in time", () => {
  it("an earlier partition is built only from what was filed by then", async () => {
    const summary = await runAssets(
      ASSETS,
      ["datos_financieros", "datos_valuacion_ttm", ...AGGREGATES.map((a) => a.key)].join(","),
      resources,
      { partition: EARLIER },
    );
    expect(summary.outcomes.every((o) => o.status === "succeeded")).toBe(true);
    for (const asset of AGGREGATES)
      expect((await lastRun(store, asset.key)).checksPassed, asset.key).toBe(true);

    const companies = await independentInputs(EARLIER);
    const pe = await store.readAll(sectorPeTable, { where: { pe_date: EARLIER } });
    expect(pe.length).toBeGreaterThan(0);
    for (const row of pe) {
      const kept = companies.filter(
        (c) =>
          c.sector === row.sector &&
          c.valuation &&
          c.valuation.pe_ratio !== null &&
          c.valuation.pe_ratio > 0 &&
          c.valuation.pe_ratio <= 100,
      );
      expect(row.constituents, row.sector).toBe(kept.length);
    }
    const earlier = await store.readAll(sectorBenchmarksTable, {
      where: { snapshot_date: EARLIER, group_type: "sector", metric: "roic" },
    });
    for (const row of earlier) {
      const n = companies.filter(
        (c) => c.sector === row.sector && c.fin?.roic !== null && c.fin?.roic !== undefined,
      ).length;
      expect(row.sample_size, row.sector).toBe(n);
    }
    // The later day's quarters (filed after the earlier one) moved the distributions.
    const later = await store.readAll(sectorBenchmarksTable, {
      where: { snapshot_date: DAY, group_type: "sector", metric: "roic" },
    });
    const key = (r: SectorBenchmarkRecord) => `${r.sector} ${r.p10} ${r.p50} ${r.p90}`;
    expect(earlier.map(key)).not.toEqual(later.map(key));
  });
});
