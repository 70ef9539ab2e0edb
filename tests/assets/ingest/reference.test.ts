/**
 * The reference assets against the sandbox: company_profiles,
 * industry_classification, asset_industry_map and stock_peers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import assetIndustryMap, {
  assetIndustryMapTable,
  membershipChanges,
  UNKNOWN_START,
} from "../../../assets/asset_industry_map.ts";
import companyProfiles, { companyProfilesTable } from "../../../assets/company_profiles.ts";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import industryClassification, {
  classify,
  industryClassificationTable,
  industrySlug,
} from "../../../assets/industry_classification.ts";
import stockPeers, { peerPairs, stockPeersTable } from "../../../assets/stock_peers.ts";
import type { Store } from "../../../db/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

const ASSETS = [
  fintraUniverse,
  companyProfiles,
  industryClassification,
  assetIndustryMap,
  stockPeers,
];
let store: Store;
let market: TestMarket;
// The fixture: the reference assets materialized for 2026-11-25.
let first: Awaited<ReturnType<typeof runAssets>>;

beforeAll(async () => {
  store = await openTestStore();
  market = await startTestMarket({ tickers: 120, asOf: "2026-11-27" });
  first = await runAssets(ASSETS, "*", marketResources(store, market), {
    partition: "2026-11-25",
  });
}, 120_000);
afterAll(async () => {
  await market.close();
  await store.close();
});

describe("reference assets on the sandbox", () => {
  it("materialize in dependency order from the universe", () => {
    expect(first.outcomes.map((o) => [o.asset, o.status])).toEqual([
      ["fintra_universe", "succeeded"],
      ["company_profiles", "succeeded"],
      ["stock_peers", "succeeded"],
      ["industry_classification", "succeeded"],
      ["asset_industry_map", "succeeded"],
    ]);
  });

  it("company_profiles holds every active equity and nothing else", async () => {
    const equities = await store.readAll(universeTable, {
      where: { is_active: true, instrument_type: "EQUITY" },
    });
    const profiles = await store.readAll(companyProfilesTable);
    expect(profiles.map((p) => p.ticker)).toEqual(equities.map((e) => e.ticker));
    const sample = market.market.tickers.find((t) => t.symbol === profiles[0]?.ticker);
    expect(profiles[0]).toMatchObject({
      company_name: sample?.name,
      sector: sample?.sector,
      industry: sample?.industry,
    });
  });

  it("industry_classification has one row per industry, each in a valid sector", async () => {
    const industries = await store.readAll(industryClassificationTable);
    const profiles = await store.readAll(companyProfilesTable);
    const names = new Set(profiles.map((p) => p.industry).filter(Boolean));
    expect(industries.map((i) => i.industry_name).sort()).toEqual([...names].sort());
    expect(industries.every((i) => i.industry_code === industrySlug(i.industry_name))).toBe(true);
    expect(industries.reduce((n, i) => n + i.tickers, 0)).toBe(
      profiles.filter((p) => p.industry).length,
    );
  });

  it("asset_industry_map opens one row per classified equity", async () => {
    const open = await store.readAll(assetIndustryMapTable, { where: { effective_to: null } });
    const profiles = await store.readAll(companyProfilesTable);
    expect(open).toHaveLength(profiles.filter((p) => p.industry).length);
    expect(open.every((r) => r.effective_from === UNKNOWN_START)).toBe(true);
    const [m] = await store.ledger.history({ asset: "asset_industry_map", limit: 1 });
    expect(m?.checksPassed).toBe(true);
  });

  it("stock_peers keeps only pairs of active equities", async () => {
    const pairs = await store.readAll(stockPeersTable);
    const equities = new Set((await store.readAll(companyProfilesTable)).map((p) => p.ticker));
    expect(pairs.length).toBeGreaterThan(0);
    expect(
      pairs.every(
        (p) => equities.has(p.ticker) && equities.has(p.peer_ticker) && p.ticker !== p.peer_ticker,
      ),
    ).toBe(true);
  });

  it("a rerun the next day changes no row, prunes nothing and moves nobody", async () => {
    const before = await store.readAll(assetIndustryMapTable);
    const summary = await runAssets(ASSETS, "*", marketResources(store, market), {
      partition: "2026-11-27",
    });
    expect(summary.exitCode).toBe(0);
    expect(await store.readAll(assetIndustryMapTable)).toEqual(before);
    const [peers] = await store.ledger.history({ asset: "stock_peers", limit: 1 });
    expect(peers?.metadata).toMatchObject({ pruned: 0 });
    const [map] = await store.ledger.history({ asset: "asset_industry_map", limit: 1 });
    expect(map?.metadata).toMatchObject({ moved: 0, opened: 0 });
  });
});

describe("taxonomy and membership rules", () => {
  it("gives an industry listed under two sectors to the larger one and skips foreign sectors", () => {
    const { industries, invalidSector } = classify([
      { sector: "Technology", industry: "Software - Application" },
      { sector: "Technology", industry: "Software - Application" },
      { sector: "Industrials", industry: "Software - Application" },
      { sector: "Conglomerates", industry: "Holding" },
      { sector: null, industry: "Nothing" },
    ]);
    expect(industries).toEqual([
      {
        industry_code: "software-application",
        industry_name: "Software - Application",
        sector: "Technology",
        source: "internal_profile",
        active: true,
        tickers: 3,
      },
    ]);
    expect(invalidSector).toBe(1);
  });

  it("closes the old membership the day before a move and opens the new one that day", () => {
    const open = [
      {
        ticker: "AAA",
        industry_code: "banks",
        source: "internal_profile",
        effective_from: UNKNOWN_START,
        effective_to: null,
      },
    ];
    const changes = membershipChanges(
      new Map([
        ["AAA", "insurance"],
        ["BBB", "banks"],
      ]),
      open,
      "2026-03-02",
    );
    expect(changes.rows).toEqual([
      {
        ticker: "AAA",
        industry_code: "banks",
        source: "internal_profile",
        effective_from: UNKNOWN_START,
        effective_to: "2026-03-01",
      },
      {
        ticker: "AAA",
        industry_code: "insurance",
        source: "internal_profile",
        effective_from: "2026-03-02",
        effective_to: null,
      },
      {
        ticker: "BBB",
        industry_code: "banks",
        source: "internal_profile",
        effective_from: UNKNOWN_START,
        effective_to: null,
      },
    ]);
    expect(changes).toMatchObject({ opened: 1, moved: 1, unchanged: 0 });
  });

  it("keeps peers that are active equities, never a ticker with itself", () => {
    const equities = new Set(["AAA", "BBB", "CCC"]);
    expect(peerPairs("aaa", ["BBB", " ccc", "AAA", "ZZZ", "BBB", ""], equities)).toEqual([
      ["AAA", "BBB"],
      ["AAA", "CCC"],
    ]);
    expect(peerPairs("ZZZ", ["AAA"], equities)).toEqual([]);
  });
});
