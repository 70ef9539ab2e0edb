/**
 * fintra_sec_structural_signals end to end on the sandbox: FMP's 10-K listing, the
 * sandbox's 10-K documents on loopback, the universe in the same graph. A Monday in
 * filing season, when December year ends file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fintraUniverse from "../../../assets/fintra_universe.ts";
import secStructuralSignals, {
  fiscalYearFromFilingDate,
  secStructuralSignalsTable,
} from "../../../assets/sec/fintra_sec_structural_signals.ts";
import type { Store } from "../../../db/index.ts";
import { filingDocument, type SecFiling } from "../../../sources/sandbox/filings.ts";
import { marketResources, runAssets, type TestMarket } from "../../helpers/sandbox.ts";
import {
  activeFilings,
  closeWeek,
  documentLink,
  documentRequests,
  MONDAY,
  openWeek,
  WINDOW,
} from "./week.ts";

const ASSETS = [fintraUniverse, secStructuralSignals];
let store: Store;
let market: TestMarket;

beforeAll(async () => {
  ({ store, market } = await openWeek());
});
afterAll(() => closeWeek(store, market));

const linkOf = (f: SecFiling) => documentLink(market, f);
const rowsOf = () => store.readAll(secStructuralSignalsTable);
const run = (options: Parameters<typeof runAssets>[3] = {}) =>
  runAssets(ASSETS, "*", marketResources(store, market), { partition: MONDAY, ...options });

/** What the sandbox wrote into a 10-K, read back with plain string tests. */
function expectedSignals(filing: SecFiling) {
  const instrument = market.market.instrument(filing.symbol);
  if (!instrument) throw new Error(`no instrument ${filing.symbol}`);
  const html = filingDocument(instrument, filing);
  const limited = html.includes("limited number of suppliers");
  const regions = /We operate in ([^.]*)\./.exec(html)?.[1] ?? "";
  const millions = Number(/Purchase obligations of \$(\d+) million/.exec(html)?.[1]);
  const words = `${instrument.name} ${instrument.industry}`;
  return {
    ticker: filing.symbol,
    link: linkOf(filing),
    supplier_concentration: limited ? "high" : "low",
    single_source_dependency: limited, // the limited clause also names a sole supplier
    geographic_exposure: ["China", "EU", "United States", "Mexico", "Canada"].filter((r) =>
      regions.includes(r),
    ),
    environmental_exposure: /\b(mining|energy|manufacturing)\b/i.test(words) ? "high" : "low",
    purchase_obligations_amount: millions * 1e6,
    purchase_obligations_currency: "USD",
    fiscal_year: fiscalYearFromFilingDate(filing.filingDate),
    fiscal_year_basis: "filing_date",
    source: "SEC_10K",
  };
}

describe("fintra_sec_structural_signals on the sandbox", () => {
  // The fixture: a scoped run on the empty store, then a full run, each with what it left.
  let scopedTicker = "";
  let scoped: Awaited<ReturnType<typeof run>>;
  let scopedRows: Awaited<ReturnType<typeof rowsOf>> = [];
  let full: Awaited<ReturnType<typeof run>>;
  let fullRows: Awaited<ReturnType<typeof rowsOf>> = [];
  beforeAll(async () => {
    scopedTicker = market.market.filings(WINDOW.from, WINDOW.to, "10-K")[0]?.symbol ?? "";
    scoped = await run({ scope: { tickers: [scopedTicker] } });
    scopedRows = await rowsOf();
    full = await run();
    fullRows = await rowsOf();
  }, 120_000);

  it("a scoped run writes only its ticker's report", () => {
    expect(scoped.outcomes.map((o) => [o.asset, o.status])).toEqual([
      ["fintra_universe", "succeeded"],
      ["fintra_sec_structural_signals", "succeeded"],
    ]);
    expect(scopedRows.map((r) => r.ticker)).toEqual([scopedTicker]);
  });

  it("a full run writes the signals of every 10-K of the active equities", async () => {
    const summary = full;
    expect(summary.outcomes.find((o) => o.asset === "fintra_sec_structural_signals")?.status).toBe(
      "succeeded",
    );
    const filings = await activeFilings(store, market, "10-K");
    expect(filings.length).toBeGreaterThanOrEqual(15);
    const rows = fullRows;
    expect(rows.map((r) => [r.ticker, r.link]).sort()).toEqual(
      filings.map((f) => [f.symbol, linkOf(f)]).sort(),
    );
    for (const filing of filings) {
      const row = rows.find((r) => r.ticker === filing.symbol);
      expect(row).toMatchObject(expectedSignals(filing));
    }
    // Both grades of supplier concentration occur, so the test says something.
    expect(new Set(rows.map((r) => r.supplier_concentration))).toEqual(new Set(["high", "low"]));

    // The inferred fiscal year matches what the report covers for most companies.
    const right = filings.filter(
      (f) => `FY${fiscalYearFromFilingDate(f.filingDate)}` === f.covers,
    ).length;
    expect(right / filings.length).toBeGreaterThanOrEqual(0.9);

    // The scoped ticker's report was stored already: not read again, not rewritten.
    expect(rows.filter((r) => r.ticker === scopedTicker)).toEqual(scopedRows);
    const ledger = await store.ledger.get(
      full.outcomes.find((o) => o.asset === "fintra_sec_structural_signals")?.materializationId ??
        "",
    );
    expect(ledger?.metadata).toMatchObject({
      window: WINDOW,
      alreadyStored: 1,
      fetched: filings.length - 1,
      written: filings.length - 1,
      failed: 0,
      olderThanStored: 0,
    });
  });

  it("a rerun reads no document, writes nothing and changes no row", async () => {
    // Whatever the tests before did, the week's reports are read and stored.
    await run({ force: true });
    const before = await rowsOf();
    const requests = documentRequests(market);
    const summary = await run({ force: true });
    expect(summary.outcomes.find((o) => o.asset === "fintra_sec_structural_signals")).toMatchObject(
      { status: "succeeded", rows: 0 },
    );
    expect(documentRequests(market)).toBe(requests);
    expect(await rowsOf()).toEqual(before);
  });

  it("a newer report of a stored year replaces its row; an older one never does", async () => {
    const [row] = await rowsOf();
    if (!row) throw new Error("no rows");
    const newer = "2099-01-01T05:00:00.000Z";
    // Pretend the stored row came from a later filing: the week's report is older and loses.
    await store.update(
      secStructuralSignalsTable,
      { ticker: row.ticker, fiscal_year: row.fiscal_year },
      { filing_date: newer, link: `${row.link}?later`, supplier_concentration: "medium" },
    );
    const summary = await run({ force: true, scope: { tickers: [row.ticker] } });
    expect(summary.outcomes.find((o) => o.asset === "fintra_sec_structural_signals")).toMatchObject(
      { status: "succeeded", rows: 0 },
    );
    const [kept] = await store.readAll(secStructuralSignalsTable, {
      where: { ticker: row.ticker, fiscal_year: row.fiscal_year },
    });
    expect(kept).toMatchObject({ filing_date: newer, supplier_concentration: "medium" });

    // Stored from an older filing: the week's report is newer and replaces it.
    await store.update(
      secStructuralSignalsTable,
      { ticker: row.ticker, fiscal_year: row.fiscal_year },
      { filing_date: "2000-01-01T05:00:00.000Z", link: `${row.link}?earlier` },
    );
    await run({ force: true, scope: { tickers: [row.ticker] } });
    const [replaced] = await store.readAll(secStructuralSignalsTable, {
      where: { ticker: row.ticker, fiscal_year: row.fiscal_year },
    });
    expect(replaced).toMatchObject({
      link: row.link,
      filing_date: row.filing_date,
      supplier_concentration: row.supplier_concentration,
    });
  });
});
