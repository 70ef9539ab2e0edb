/**
 * asset_industry_map cut into ticker-range steps: with a small `stepScale` a full run takes
 * several chunk steps, yet writes exactly the rows of a run in one chunk, first run and
 * moves alike; a scoped run stays one chunk.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import assetIndustryMap, {
  assetIndustryMapTable,
  INDUSTRY_MAP_CHUNK,
} from "../../../assets/asset_industry_map.ts";
import companyProfiles, { companyProfilesTable } from "../../../assets/company_profiles.ts";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import industryClassification from "../../../assets/industry_classification.ts";
import type { Store } from "../../../db/index.ts";
import { perStep } from "../../../runtime/chunks.ts";
import type { Resources } from "../../../runtime/resources.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

const ASSETS = [fintraUniverse, companyProfiles, industryClassification, assetIndustryMap];
const DAY = "2026-11-25";
const STEP_SCALE = 0.01;

let market: TestMarket;
/** One chunk (stepScale 1) and many chunks (STEP_SCALE), on two stores fed alike. */
let whole: Store;
let chunked: Store;
let wholeResources: Resources;
let chunkedResources: Resources;
const full: Awaited<ReturnType<typeof runAssets>>[] = [];
let fullOne: Awaited<ReturnType<typeof lastRun>>;
let fullMany: Awaited<ReturnType<typeof lastRun>>;
let fullWholeRows: Awaited<ReturnType<typeof allRows>>;
let fullChunkedRows: Awaited<ReturnType<typeof allRows>>;

beforeAll(async () => {
  market = await startTestMarket({ tickers: 120, asOf: "2026-11-27" });
  whole = await openTestStore();
  chunked = await openTestStore();
  wholeResources = marketResources(whole, market);
  chunkedResources = { ...marketResources(chunked, market), stepScale: STEP_SCALE };
  // The fixture: a full run on each store, with what it left.
  for (const resources of [wholeResources, chunkedResources]) {
    full.push(await runAssets(ASSETS, "*", resources, { partition: DAY }));
  }
  [fullOne, fullMany] = [await lastRun(whole), await lastRun(chunked)];
  [fullWholeRows, fullChunkedRows] = [await allRows(whole), await allRows(chunked)];
}, 120_000);
afterAll(async () => {
  await market.close();
  await whole.close();
  await chunked.close();
});

async function lastRun(store: Store) {
  const [m] = await store.ledger.history({ asset: "asset_industry_map", limit: 1 });
  return m;
}

const allRows = (store: Store) => store.readAll(assetIndustryMapTable);

/** Moves the first `n` classified profiles to another classified industry, in both stores. */
async function moveProfiles(n: number) {
  for (const store of [whole, chunked]) {
    const profiles = (await store.readAll(companyProfilesTable)).filter((p) => p.industry);
    const industries = [...new Set(profiles.map((p) => p.industry))].sort();
    // Spread over the key space so moves land in several chunks.
    const step = Math.floor(profiles.length / n);
    const moved = profiles
      .filter((_, i) => i % step === 0)
      .slice(0, n)
      .map((p) => ({
        ...p,
        industry: industries.find((name) => name !== p.industry) as string,
      }));
    await store.upsert(companyProfilesTable, moved);
  }
}

describe("asset_industry_map in chunks", () => {
  it("a full run with a small stepScale takes several chunk steps and writes the rows of one", async () => {
    expect(full.map((summary) => summary.exitCode)).toEqual([0, 0]);
    const profiles = await chunked.readAll(companyProfilesTable, { columns: ["ticker"] });
    const size = perStep(chunkedResources, INDUSTRY_MAP_CHUNK);
    expect(size).toBe(20);
    const one = fullOne;
    const many = fullMany;
    expect(one?.metadata).toMatchObject({ chunks: 1 });
    expect(many?.metadata).toMatchObject({ chunks: Math.ceil(profiles.length / size) });
    expect(Number(many?.metadata?.chunks)).toBeGreaterThan(3);
    const { chunks: _a, ...oneCounts } = one?.metadata ?? {};
    const { chunks: _b, ...manyCounts } = many?.metadata ?? {};
    expect(manyCounts).toEqual(oneCounts);
    expect(many?.rows).toBe(one?.rows);
    expect(many?.checksPassed).toBe(true);
    const rows = fullChunkedRows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(fullWholeRows);
  });

  it("moves across chunks close and open the same type-2 rows as one chunk", async () => {
    await moveProfiles(6);
    for (const resources of [wholeResources, chunkedResources]) {
      const summary = await runAssets(ASSETS, "asset_industry_map", resources, {
        partition: DAY,
        force: true,
      });
      expect(summary.exitCode).toBe(0);
    }
    const one = await lastRun(whole);
    const many = await lastRun(chunked);
    expect(one?.metadata).toMatchObject({ moved: 6, opened: 0, chunks: 1 });
    expect(many?.metadata).toMatchObject({ moved: 6, opened: 0 });
    expect(Number(many?.metadata?.chunks)).toBeGreaterThan(3);
    const rows = await allRows(chunked);
    expect(rows.filter((r) => r.effective_to !== null)).toHaveLength(6);
    expect(rows).toEqual(await allRows(whole));
  });

  it("a scoped run stays one chunk, whatever the stepScale", async () => {
    const [first] = await chunked.readAll(assetIndustryMapTable, {
      where: { effective_to: null },
      columns: ["ticker"],
    });
    const summary = await runAssets(ASSETS, "asset_industry_map", chunkedResources, {
      partition: DAY,
      force: true,
      scope: { tickers: [first?.ticker as string] },
    });
    expect(summary.exitCode).toBe(0);
    expect((await lastRun(chunked))?.metadata).toMatchObject({
      chunks: 1,
      unchanged: 1,
      written: 0,
    });
  });
});
