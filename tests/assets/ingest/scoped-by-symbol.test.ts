/**
 * A `tickers`-scoped run reads FMP's per-symbol endpoints, never a bulk file, and writes
 * exactly the rows a full bulk run writes for those tickers.
 *
 * On a small sandbox market (PGlite): a full run of every ingest asset from the bulk files;
 * the rows of a few tickers are kept and then removed from every table (the valuation rows
 * are blanked instead, since a scoped run keeps the full day's percentiles); a forced run
 * scoped to those tickers must then write the same rows back, request by request only what
 * `symbolRequests` names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import assetIndustryMap, { assetIndustryMapTable } from "../../../assets/asset_industry_map.ts";
import companyProfiles, { companyProfilesTable } from "../../../assets/company_profiles.ts";
import datosEod, { datosEodTable } from "../../../assets/datos_eod.ts";
import datosValuacion, { datosValuacionTable } from "../../../assets/datos_valuacion.ts";
import fintraUniverse, {
  SYMBOL_SCOPE_MAX,
  symbolScope,
  universeTable,
} from "../../../assets/fintra_universe.ts";
import industryClassification from "../../../assets/industry_classification.ts";
import datosDividendos, { dividendsTable } from "../../../assets/statements/datos_dividendos.ts";
import datosFinancieros, { financialsTable } from "../../../assets/statements/datos_financieros.ts";
import stockPeers, { stockPeersTable } from "../../../assets/stock_peers.ts";
import type { Store, TableSpec } from "../../../db/index.ts";
import { createFmpClient } from "../../../sources/fmp/index.ts";
import { SANDBOX_API_KEY, symbolRequests } from "../../../sources/sandbox/index.ts";
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
  datosEod,
  datosFinancieros,
  datosDividendos,
  datosValuacion,
  stockPeers,
];
const DAY = "2026-11-27";
/** A symbol the market does not list: nothing is written for it either way. */
const UNKNOWN = "ZZZZ9";

/** The tables the scoped run rewrites, keyed on `ticker`. */
const TABLES = [
  universeTable,
  companyProfilesTable,
  assetIndustryMapTable,
  datosEodTable,
  financialsTable,
  dividendsTable,
  stockPeersTable,
] as unknown as TableSpec<{ ticker: string }>[];

let market: TestMarket;
let store: Store;
let tickers: string[];

function sorted<Row extends object>(rows: Row[]): Row[] {
  const key = (row: Row) => JSON.stringify(Object.values(row));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function rowsOf(table: TableSpec<{ ticker: string }>, only: readonly string[]) {
  return sorted(await store.readAll(table, { where: { ticker: { in: [...only] } } }));
}

beforeAll(async () => {
  market = await startTestMarket({ tickers: 90, asOf: DAY });
  store = await openTestStore();
  const listed = market.market.tickers.filter((t) => t.type === "stock" && t.active);
  const foreign = listed.find((t) => t.exchange === "JPX" || t.exchange === "LSE");
  const payer = listed.find((t) => t.paysDividends && t.symbol !== "AAPL" && t.symbol !== "MSFT");
  tickers = [
    ...new Set(["AAPL", "MSFT", foreign?.symbol, payer?.symbol].filter((s) => s !== undefined)),
  ].sort();
  expect(tickers.length).toBeGreaterThanOrEqual(3);
  const full = await runAssets(ASSETS, "*", marketResources(store, market), { partition: DAY });
  expect(full.outcomes.filter((o) => o.status !== "succeeded")).toEqual([]);
}, 600_000);

afterAll(async () => {
  await store?.close();
  await market?.close();
});

describe("a tickers scope reads FMP per symbol", () => {
  it("writes the rows of a full bulk run for its tickers, and reads no bulk file", async () => {
    const expected = new Map<string, unknown[]>();
    for (const table of TABLES) {
      const rows = await rowsOf(table, tickers);
      expect(rows.length, table.name).toBeGreaterThan(0);
      expected.set(table.name, rows);
      await store.delete(table, { ticker: { in: tickers } });
    }
    const valuations = await rowsOf(
      datosValuacionTable as unknown as TableSpec<{ ticker: string }>,
      tickers,
    );
    expect(valuations.length).toBeGreaterThan(0);
    await store.update(
      datosValuacionTable,
      { ticker: { in: tickers } },
      { price: 0, market_cap: null, pe_ratio: null, ev_ebitda: null, source: "blanked" },
    );

    const requested: string[] = [];
    const client = createFmpClient({
      apiKey: SANDBOX_API_KEY,
      baseUrl: market.server.url,
      ratePerMinute: 100_000,
      backoff: { minMs: 5, maxMs: 20 },
      fetch: (input, init) => {
        const url = new URL(String(input));
        url.searchParams.delete("apikey");
        url.searchParams.sort();
        requested.push(`${url.pathname}?${url.searchParams}`);
        return fetch(input, init);
      },
    });
    const scope = { tickers: [...tickers, UNKNOWN] };
    const scoped = await runAssets(
      ASSETS,
      "*",
      { ...marketResources(store, market), fmp: () => client },
      { partition: DAY, scope, force: true },
    );
    expect(scoped.outcomes.filter((o) => o.status !== "succeeded")).toEqual([]);

    for (const table of TABLES) {
      expect(await rowsOf(table, [...tickers, UNKNOWN]), table.name).toEqual(
        expected.get(table.name),
      );
    }
    expect(
      await rowsOf(datosValuacionTable as unknown as TableSpec<{ ticker: string }>, [
        ...tickers,
        UNKNOWN,
      ]),
    ).toEqual(valuations);

    // Per-symbol requests only: each ticker's list, no more (the fintra_universe and
    // company_profiles profiles, and the statements datos_financieros and
    // datos_dividendos share, are the same URLs).
    expect(requested.filter((r) => r.includes("-bulk"))).toEqual([]);
    const planned = new Set(
      scope.tickers.flatMap((ticker) =>
        symbolRequests(market.market, ticker, DAY).map(({ path, params }) => {
          const query = new URLSearchParams(
            Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
          );
          query.sort();
          return `${path}?${query}`;
        }),
      ),
    );
    expect(new Set(requested)).toEqual(planned);
  }, 600_000);
});

describe("which scopes read per symbol", () => {
  const names = (n: number) =>
    Array.from({ length: n }, (_, i) => `T${String(i).padStart(3, "0")}`);

  it("reads per symbol up to SYMBOL_SCOPE_MAX tickers, the bulk files beyond", () => {
    expect(symbolScope({ scope: { tickers: names(SYMBOL_SCOPE_MAX) } })).toHaveLength(
      SYMBOL_SCOPE_MAX,
    );
    expect(symbolScope({ scope: { tickers: names(SYMBOL_SCOPE_MAX + 1) } })).toBeNull();
    expect(symbolScope({ scope: { limit: 5 } })).toBeNull();
    expect(symbolScope({ scope: null })).toBeNull();
  });
});
