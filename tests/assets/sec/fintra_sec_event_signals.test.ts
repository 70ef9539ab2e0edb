/**
 * fintra_sec_event_signals end to end on the sandbox: FMP's 8-K listing, the sandbox's
 * filing documents on loopback, the universe in the same graph. A Monday in filing season.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import { secDocumentsReadTable } from "../../../assets/sec/documents.ts";
import secEventSignals, {
  EVENT_ITEMS,
  type EventItem,
  secEventSignalsTable,
} from "../../../assets/sec/fintra_sec_event_signals.ts";
import type { Store } from "../../../db/index.ts";
import type { SecFiling } from "../../../sources/sandbox/filings.ts";
import { marketResources, runAssets, type TestMarket } from "../../helpers/sandbox.ts";
import { testSecClient } from "../../helpers/sec.ts";
import {
  activeFilings,
  closeWeek,
  documentLink,
  documentRequests,
  MONDAY,
  openWeek,
  WINDOW,
} from "./week.ts";

const ASSETS = [fintraUniverse, secEventSignals];
let store: Store;
let market: TestMarket;

beforeAll(async () => {
  ({ store, market } = await openWeek());
});
afterAll(() => closeWeek(store, market));

const linkOf = (f: SecFiling) => documentLink(market, f);
const withItem = (f: SecFiling) => f.items.some((i) => i in EVENT_ITEMS);
/** The active equities' earnings 8-Ks (items 2.02 and 9.01 only): read, no row. */
const earningsFilings = async () =>
  (await activeFilings(store, market, "8-K")).filter((f) => f.items.includes("2.02"));

const rowsOf = () => store.readAll(secEventSignalsTable);
const run = (
  options: Parameters<typeof runAssets>[3] = {},
  resources = marketResources(store, market),
) => runAssets(ASSETS, "*", resources, { partition: MONDAY, ...options });

describe("fintra_sec_event_signals on the sandbox", () => {
  // The fixture: a scoped run on the empty store, then a full run, each with what it left.
  const events = () => market.market.filings(WINDOW.from, WINDOW.to, "8-K").filter(withItem);
  let scopedTicker = "";
  let scoped: Awaited<ReturnType<typeof run>>;
  let scopedRows: Awaited<ReturnType<typeof rowsOf>> = [];
  let full: Awaited<ReturnType<typeof run>>;
  let fullRows: Awaited<ReturnType<typeof rowsOf>> = [];
  beforeAll(async () => {
    scopedTicker = events()[0]?.symbol ?? "";
    scoped = await run({ scope: { tickers: [scopedTicker] } });
    scopedRows = await rowsOf();
    full = await run();
    fullRows = await rowsOf();
  }, 120_000);

  it("a scoped run writes only its ticker's events", () => {
    expect(scopedTicker).not.toBe("");
    expect(scoped.outcomes.map((o) => [o.asset, o.status])).toEqual([
      ["fintra_universe", "succeeded"],
      ["fintra_sec_event_signals", "succeeded"],
    ]);
    expect(scopedRows.length).toBeGreaterThan(0);
    expect(new Set(scopedRows.map((r) => r.ticker))).toEqual(new Set([scopedTicker]));
    expect(scopedRows.map((r) => r.link).sort()).toEqual(
      events()
        .filter((f) => f.symbol === scopedTicker)
        .map(linkOf)
        .sort(),
    );
  });

  it("a full run writes one classified row per event 8-K of the active equities", async () => {
    const summary = full;
    const outcome = summary.outcomes.find((o) => o.asset === "fintra_sec_event_signals");
    expect(outcome?.status).toBe("succeeded");

    // The sandbox's 8-Ks in the window carrying a listed item: what the table must hold.
    const expected = (await activeFilings(store, market, "8-K")).filter(withItem);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    const rows = fullRows;
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

    const ledger = await store.ledger.get(outcome?.materializationId ?? "");
    const earnings = await earningsFilings();
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
    // Whatever the tests before did, the week's filings are read and stored.
    await run({ force: true });
    const before = await rowsOf();
    const requestsBefore = documentRequests(market);
    const summary = await run({ force: true });
    const outcome = summary.outcomes.find((o) => o.asset === "fintra_sec_event_signals");
    expect(outcome).toMatchObject({ status: "succeeded", rows: 0 });
    expect(await rowsOf()).toEqual(before);
    // Filings without a listed item were recorded as read: nothing is fetched again.
    const earnings = await earningsFilings();
    const read = await store.readAll(secDocumentsReadTable);
    expect(new Set(read.map((r) => r.link))).toEqual(new Set(earnings.map(linkOf)));
    expect(documentRequests(market) - requestsBefore).toBe(0);
  });

  it("fails its error check when the SEC refuses every document it asks for", async () => {
    const before = await rowsOf();
    const refused = testSecClient(
      async () => new Response("Undeclared Automated Tool", { status: 403 }),
    );
    {
      // Forget the earnings 8-Ks read without a row: due again, and every one is refused.
      await store.delete(secDocumentsReadTable, { asset: "fintra_sec_event_signals" });
      const summary = await run(
        { force: true },
        { ...marketResources(store, market), sec: () => refused },
      );
      const outcome = summary.outcomes.find((o) => o.asset === "fintra_sec_event_signals");
      expect(outcome?.status).toBe("failed");
      expect(outcome?.reason).toMatch(
        /check some_document_fetched failed: all \d+ documents failed: SEC document http:\/\/127\.0\.0\.1:\d+\/sandbox\/sec\/.*HTTP 403/,
      );
      expect(await rowsOf()).toEqual(before);
    }
  });
});
