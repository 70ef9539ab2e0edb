/** fintra_universe against the sandbox market: classification, scopes, deactivation, first_seen. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fintraUniverse, {
  instrumentType,
  type UniverseRow,
  universeTable,
} from "../../../assets/fintra_universe.ts";
import type { Store } from "../../../db/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

let store: Store;
let market: TestMarket;
// The fixture: the universe loaded on 2026-11-24, with what that run left.
let loaded: Awaited<ReturnType<typeof runAssets>>;
let loadedRows: UniverseRow[];
let loadedRun: Awaited<ReturnType<Store["ledger"]["history"]>>[number] | undefined;

beforeAll(async () => {
  store = await openTestStore();
  market = await startTestMarket({ tickers: 80, asOf: "2026-11-27" });
  loaded = await runAssets([fintraUniverse], "*", marketResources(store, market), {
    partition: "2026-11-24",
  });
  loadedRows = await store.readAll(universeTable);
  [loadedRun] = await store.ledger.history({ asset: "fintra_universe", limit: 1 });
}, 120_000);
afterAll(async () => {
  await market.close();
  await store.close();
});

describe("fintra_universe", () => {
  it("loads every profile with its instrument type and confidence", () => {
    expect(loaded.exitCode).toBe(0);
    const rows = loadedRows;
    expect(rows).toHaveLength(market.market.tickers.length);
    const spy = rows.find((r) => r.ticker === "SPY");
    expect(spy).toMatchObject({
      instrument_type: "ETF",
      is_active: true,
      last_seen: "2026-11-24",
      first_seen: "2026-11-24",
    });
    for (const t of market.market.tickers) {
      const row = rows.find((r) => r.ticker === t.symbol);
      expect(row?.sector ?? null).toBe(t.sector ?? null);
    }
    expect(rows.filter((r) => r.instrument_type === "EQUITY").length).toBeGreaterThan(40);
    expect(loadedRun).toMatchObject({
      status: "succeeded",
      rows: rows.length,
      partition: null,
      runDate: "2026-11-24",
    });
  });

  it("classifies instruments in the documented order", () => {
    const base = { isEtf: false, isAdr: false, isFund: false, exchange: "NASDAQ" };
    expect(instrumentType({ ...base, isEtf: true, isAdr: true })).toBe("ETF");
    expect(instrumentType({ ...base, isAdr: true, isFund: true })).toBe("ADR");
    expect(instrumentType({ ...base, isFund: true })).toBe("FUND");
    expect(instrumentType({ ...base, exchange: "CCC" })).toBe("CRYPTO");
    expect(instrumentType(base)).toBe("EQUITY");
  });

  it("keeps first_seen, moves last_seen, and deactivates symbols FMP no longer lists", async () => {
    await store.upsert(universeTable, [
      {
        ticker: "GONE",
        name: "Delisted Inc",
        exchange: null,
        exchange_short: null,
        currency: "USD",
        is_active: true,
        first_seen: "2020-01-02",
        last_seen: "2026-11-20",
        source: "FMP",
        sector: null,
        industry: null,
        instrument_type: "EQUITY",
        is_etf: false,
        is_adr: false,
        is_fund: false,
        country: "US",
        profile_confidence: 0.5,
        last_profile_update: "2026-11-20",
      },
    ]);
    const summary = await runAssets([fintraUniverse], "*", marketResources(store, market), {
      partition: "2026-11-25",
    });
    expect(summary.exitCode).toBe(0);
    const [gone] = await store.readAll(universeTable, { where: { ticker: "GONE" } });
    expect(gone?.is_active).toBe(false);
    const [spy] = await store.readAll(universeTable, { where: { ticker: "SPY" } });
    expect(spy).toMatchObject({ first_seen: "2026-11-24", last_seen: "2026-11-25" });
    const [m] = await store.ledger.history({ asset: "fintra_universe", limit: 1 });
    expect(m?.metadata).toMatchObject({ deactivated: 1, skipped: 0 });
  });

  it("touches only its tickers on a scoped run and deactivates nothing", async () => {
    const symbol = market.market.tickers[5]?.symbol as string;
    const others = async () =>
      (await store.readAll(universeTable)).filter((r) => r.ticker !== symbol);
    const before = await others();
    const summary = await runAssets([fintraUniverse], "*", marketResources(store, market), {
      partition: "2026-11-27",
      scope: { tickers: [symbol] },
    });
    expect(summary.outcomes[0]).toMatchObject({ status: "succeeded", rows: 1 });
    const fresh = await store.readAll(universeTable, { where: { last_seen: "2026-11-27" } });
    expect(fresh.map((r) => r.ticker)).toEqual([symbol]);
    // Every other row, active or not, is as it was.
    expect(await others()).toEqual(before);
    expect(await store.readAll(universeTable, { where: { is_active: false } })).toEqual(
      before.filter((r) => !r.is_active),
    );
  });
});
