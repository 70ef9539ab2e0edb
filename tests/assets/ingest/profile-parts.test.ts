/**
 * fintra_universe and company_profiles read profile-bulk one durable step per part: on a
 * sandbox market served in small parts a run takes one step per part (plus the empty one
 * that ends the walk) and writes the same rows as a run on one big part.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import companyProfiles, { companyProfilesTable } from "../../../assets/company_profiles.ts";
import fintraUniverse, {
  MAX_PROFILE_PARTS,
  universeTable,
} from "../../../assets/fintra_universe.ts";
import type { Scope, Store } from "../../../db/index.ts";
import {
  type AssetContext,
  type AssetDefinition,
  runMaterialize,
} from "../../../runtime/define.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

const TICKERS = 230;
const PART_SIZE = 50; // 5 parts: 4 x 50 + 30
const DAY = "2026-11-25";

/** The asset with every `ctx.step` id recorded, in order. */
function recording(def: AssetDefinition, steps: string[]): AssetDefinition {
  return {
    ...def,
    materialize: (ctx: AssetContext) =>
      runMaterialize(def, {
        ...ctx,
        step: (id, fn) => {
          steps.push(id);
          return ctx.step(id, fn);
        },
      }),
  } as AssetDefinition;
}

interface Run {
  universeSteps: string[];
  profileSteps: string[];
  store: Store;
}

async function run(market: TestMarket, scope?: Scope): Promise<Run> {
  const store = await openTestStore();
  const universeSteps: string[] = [];
  const profileSteps: string[] = [];
  const summary = await runAssets(
    [recording(fintraUniverse, universeSteps), recording(companyProfiles, profileSteps)],
    "*",
    marketResources(store, market),
    { partition: DAY, ...(scope ? { scope } : {}) },
  );
  expect(summary.outcomes.map((o) => [o.asset, o.status, o.reason])).toEqual([
    ["fintra_universe", "succeeded", expect.anything()],
    ["company_profiles", "succeeded", expect.anything()],
  ]);
  return { universeSteps, profileSteps, store };
}

const partSteps = (n: number) => Array.from({ length: n }, (_, i) => `profiles-part-${i}`);

let small: TestMarket;
let whole: TestMarket;
const stores: Store[] = [];

beforeAll(async () => {
  small = await startTestMarket({
    tickers: TICKERS,
    asOf: "2026-11-27",
    profilePartSize: PART_SIZE,
  });
  whole = await startTestMarket({ tickers: TICKERS, asOf: "2026-11-27" });
});
afterAll(async () => {
  await small.close();
  await whole.close();
  for (const store of stores) await store.close();
});

async function tracked(market: TestMarket, scope?: Scope): Promise<Run> {
  const result = await run(market, scope);
  stores.push(result.store);
  return result;
}

describe("profile-bulk, one step per part", () => {
  it("takes one step per part and writes the same rows as one big part", async () => {
    const listed = small.market.tickers.length;
    const parts = Math.ceil(listed / PART_SIZE);
    expect(parts).toBeGreaterThan(3);

    const chunked = await tracked(small);
    const single = await tracked(whole);
    // Every part with rows, then the empty one that ends the walk.
    expect(chunked.universeSteps).toEqual([
      ...partSteps(parts + 1),
      "deactivate-missing",
      "count-active",
    ]);
    expect(chunked.profileSteps).toEqual(partSteps(parts + 1));
    expect(single.universeSteps).toEqual([...partSteps(2), "deactivate-missing", "count-active"]);
    expect(single.profileSteps).toEqual(partSteps(2));

    for (const table of [universeTable, companyProfilesTable] as const) {
      const a = await chunked.store.readAll(table as typeof universeTable);
      const b = await single.store.readAll(table as typeof universeTable);
      expect(a.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    }
    expect(await chunked.store.readAll(universeTable)).toHaveLength(listed);

    const [universe] = await chunked.store.ledger.history({ asset: "fintra_universe", limit: 1 });
    expect(universe?.rows).toBe(listed);
    expect(universe?.metadata).toMatchObject({
      parts,
      profiles: listed,
      skipped: 0,
      skippedSamples: [],
      requests: parts + 1,
      retries: 0,
      deactivated: 0,
    });
    const [profiles] = await chunked.store.ledger.history({ asset: "company_profiles", limit: 1 });
    const equities = await chunked.store.readAll(universeTable, {
      where: { is_active: true, instrument_type: "EQUITY" },
    });
    expect(profiles?.metadata).toMatchObject({
      parts,
      profiles: listed,
      equities: equities.length,
      withoutProfile: 0,
      requests: parts + 1,
    });
  });

  it("a tickers scope reads the per-symbol profile, not the parts, and writes only its tickers", async () => {
    // A stock in the fourth part: the per-symbol profile finds it without reading any part.
    const symbol = small.market.tickers.slice(PART_SIZE * 3).find((t) => t.type === "stock")
      ?.symbol as string;
    const scoped = await tracked(small, { tickers: [symbol] });
    expect(scoped.universeSteps).toEqual(["profiles-by-symbol"]);
    expect(scoped.profileSteps).toEqual(["profiles-by-symbol"]);
    const [m] = await scoped.store.ledger.history({ asset: "fintra_universe", limit: 1 });
    expect(m?.metadata).toMatchObject({ parts: 0, profiles: 1, requests: 1, skipped: 0 });
    const universe = await scoped.store.readAll(universeTable);
    expect(universe.map((r) => r.ticker)).toEqual([symbol]);
    expect(universe[0]?.instrument_type).toBe("EQUITY");
    const profiles = await scoped.store.readAll(companyProfilesTable);
    expect(profiles.map((p) => p.ticker)).toEqual([symbol]);
  });

  it("a limit scope reads every part in one step and writes the first N tickers", async () => {
    const scoped = await tracked(small, { limit: 7 });
    expect(scoped.universeSteps).toEqual(["profiles-limit"]);
    const first = small.market.tickers
      .map((t) => t.symbol)
      .sort()
      .slice(0, 7);
    expect((await scoped.store.readAll(universeTable)).map((r) => r.ticker)).toEqual(first);
    const [m] = await scoped.store.ledger.history({ asset: "fintra_universe", limit: 1 });
    expect(m?.metadata).toMatchObject({
      parts: Math.ceil(small.market.tickers.length / PART_SIZE),
    });
  });

  it(`stops with a one-line error past ${MAX_PROFILE_PARTS} parts`, async () => {
    const tiny = await startTestMarket({
      tickers: MAX_PROFILE_PARTS + 10,
      asOf: "2026-11-27",
      profilePartSize: 1,
    });
    const store = await openTestStore();
    try {
      expect(tiny.market.tickers.length).toBeGreaterThan(MAX_PROFILE_PARTS);
      const summary = await runAssets([fintraUniverse], "*", marketResources(store, tiny), {
        partition: DAY,
      });
      expect(summary.outcomes[0]?.status).toBe("failed");
      expect(summary.outcomes[0]?.reason).toMatch(
        /^fintra_universe: profile-bulk has more than 100 parts without an empty one; stopped [^\n]*$/,
      );
    } finally {
      await store.close();
      await tiny.close();
    }
  });
});
