/**
 * fintra_sec_event_signals end to end on the sandbox: FMP's 8-K listing, the sandbox's
 * filing documents on loopback, the universe in the same graph. A Monday in filing season.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import secEventSignals, {
  EVENT_ITEMS,
  type EventItem,
  secEventSignalsTable,
} from "../../../assets/fintra_sec_event_signals.ts";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import { secDocumentsReadTable } from "../../../assets/sec-documents.ts";
import type { Store } from "../../../db/index.ts";
import { documentPaths, type SecFiling } from "../../../sources/sandbox/filings.ts";
import { setSecDocuments } from "../../../sources/sec/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { testSecClient } from "../../helpers/sec.ts";
import { openTestStore } from "../../helpers/store.ts";

const MONDAY = "2026-03-02";
const WINDOW = { from: "2026-02-23", to: MONDAY };
const ASSETS = [fintraUniverse, secEventSignals];
let store: Store;
let market: TestMarket;

beforeAll(async () => {
  store = await openTestStore();
  market = await startTestMarket({ tickers: 200, asOf: MONDAY });
  setSecDocuments(testSecClient());
});
afterAll(async () => {
  setSecDocuments(null);
  await market.close();
  await store.close();
});

const origin = () => market.server.url.replace(/\/stable$/, "");
const linkOf = (f: SecFiling) => `${origin()}${documentPaths(f).document}`;
const documentRequests = () =>
  Object.entries(market.server.stats.requests)
    .filter(([path]) => path.startsWith("/sandbox/sec/"))
    .reduce((sum, [, n]) => sum + n, 0);

async function activeEquities(): Promise<Set<string>> {
  const rows = await store.readAll(universeTable, {
    where: { is_active: true, instrument_type: "EQUITY" },
    columns: ["ticker"],
  });
  return new Set(rows.map((r) => r.ticker));
}

/** The sandbox's 8-Ks in the window carrying a listed item: what the table must hold. */
function eventFilings(tickers: ReadonlySet<string>): SecFiling[] {
  return market.market
    .filings(WINDOW.from, WINDOW.to, "8-K")
    .filter((f) => tickers.has(f.symbol) && f.items.some((i) => i in EVENT_ITEMS));
}

const rowsOf = () => store.readAll(secEventSignalsTable);
const run = (options: Parameters<typeof runAssets>[3] = {}) =>
  runAssets(ASSETS, "*", marketResources(store, market), { partition: MONDAY, ...options });

describe("fintra_sec_event_signals on the sandbox", () => {
  let scopedTicker = "";
  let scopedRows: Awaited<ReturnType<typeof rowsOf>> = [];

  it("a scoped run writes only its ticker's events", async () => {
    const events = market.market
      .filings(WINDOW.from, WINDOW.to, "8-K")
      .filter((f) => f.items.some((i) => i in EVENT_ITEMS));
    scopedTicker = events[0]?.symbol ?? "";
    expect(scopedTicker).not.toBe("");

    const summary = await run({ scope: { tickers: [scopedTicker] } });
    expect(summary.outcomes.map((o) => [o.asset, o.status])).toEqual([
      ["fintra_universe", "succeeded"],
      ["fintra_sec_event_signals", "succeeded"],
    ]);
    scopedRows = await rowsOf();
    expect(scopedRows.length).toBeGreaterThan(0);
    expect(new Set(scopedRows.map((r) => r.ticker))).toEqual(new Set([scopedTicker]));
    expect(scopedRows.map((r) => r.link).sort()).toEqual(
      events
        .filter((f) => f.symbol === scopedTicker)
        .map(linkOf)
        .sort(),
    );
  });

  it("a full run writes one classified row per event 8-K of the active equities", async () => {
    const summary = await run();
    const outcome = summary.outcomes.find((o) => o.asset === "fintra_sec_event_signals");
    expect(outcome?.status).toBe("succeeded");

    const equities = await activeEquities();
    const expected = eventFilings(equities);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    const rows = await rowsOf();
    expect(
      rows.map((r) => [r.ticker, r.link, r.sec_item, r.event_type, r.event_category]).sort(),
    ).toEqual(
      expected
        .map((f) => {
          const item = f.items[0] as EventItem;
          const known = EVENT_ITEMS[item];
          return [f.symbol, linkOf(f), item, known.eventType, known.category];
        })
        .sort(),
    );
    // Dates: EDGAR's New York clock, within the window.
    for (const row of rows) {
      const filing = expected.find((f) => linkOf(f) === row.link);
      expect(row.filing_date).toBe(
        new Date(`${filing?.filingDate.slice(0, 10)}T00:00:00-05:00`).toISOString(),
      );
      expect(row.accepted_date).toBe(
        new Date(`${filing?.acceptedDate.replace(" ", "T")}-05:00`).toISOString(),
      );
    }

    // The scoped ticker's rows were already there: skipped, not rewritten.
    expect(rows.filter((r) => r.ticker === scopedTicker)).toEqual(scopedRows);

    const ledger = await store.ledger.latest({
      asset: "fintra_sec_event_signals",
      status: "succeeded",
      scopeKeys: [""],
      partition: null,
      minRunDate: MONDAY,
    });
    const earnings = market.market
      .filings(WINDOW.from, WINDOW.to, "8-K")
      .filter((f) => equities.has(f.symbol) && f.items.includes("2.02"));
    expect(ledger?.metadata).toMatchObject({
      window: WINDOW,
      alreadyStored: scopedRows.length,
      fetched: expected.length - scopedRows.length + earnings.length,
      withoutItem: earnings.length,
      failed: 0,
      written: expected.length - scopedRows.length,
      stoppedBy: "short-page",
    });
    expect(ledger?.rows).toBe(expected.length - scopedRows.length);
  });

  it("a rerun writes nothing and changes no row", async () => {
    const before = await rowsOf();
    const requestsBefore = documentRequests();
    const summary = await run({ force: true });
    const outcome = summary.outcomes.find((o) => o.asset === "fintra_sec_event_signals");
    expect(outcome).toMatchObject({ status: "succeeded", rows: 0 });
    expect(await rowsOf()).toEqual(before);
    // Filings without a listed item were recorded as read: nothing is fetched again.
    const equities = await activeEquities();
    const earnings = market.market
      .filings(WINDOW.from, WINDOW.to, "8-K")
      .filter((f) => equities.has(f.symbol) && f.items.includes("2.02"));
    const read = await store.readAll(secDocumentsReadTable);
    expect(new Set(read.map((r) => r.link))).toEqual(new Set(earnings.map(linkOf)));
    expect(documentRequests() - requestsBefore).toBe(0);
  });

  it("fails its error check when the SEC refuses every document it asks for", async () => {
    const before = await rowsOf();
    setSecDocuments(
      testSecClient(async () => new Response("Undeclared Automated Tool", { status: 403 })),
    );
    try {
      // Forget the earnings 8-Ks read without a row: due again, and every one is refused.
      await store.delete(secDocumentsReadTable, { asset: "fintra_sec_event_signals" });
      const summary = await run({ force: true });
      const outcome = summary.outcomes.find((o) => o.asset === "fintra_sec_event_signals");
      expect(outcome?.status).toBe("failed");
      expect(outcome?.reason).toMatch(
        /check some_document_fetched failed: all \d+ documents failed: SEC document http:\/\/127\.0\.0\.1:\d+\/sandbox\/sec\/.*HTTP 403/,
      );
      expect(await rowsOf()).toEqual(before);
    } finally {
      setSecDocuments(testSecClient());
    }
  });
});
