/**
 * The listing side of the SEC source (paging FMP's form-type search, narrowing it to the
 * documents a run reads), EDGAR's clock, and filing HTML as text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FmpClient, SecFilingRow } from "../../../sources/fmp/index.ts";
import {
  chunk,
  decodeEntities,
  documentUrl,
  edgarInstant,
  endOfEdgarDay,
  filingWindow,
  htmlToText,
  listSecFilings,
  selectFilings,
} from "../../../sources/sec/index.ts";
import { startTestMarket, type TestMarket } from "../../helpers/sandbox.ts";

function row(symbol: string, n: number, formType = "8-K"): SecFilingRow {
  return {
    symbol,
    cik: "0000000001",
    filingDate: "2026-03-02 00:00:00",
    acceptedDate: "2026-03-02 16:05:12",
    formType,
    link: `https://www.sec.gov/Archives/edgar/data/1/${n}-index.htm`,
    finalLink: `https://www.sec.gov/Archives/edgar/data/1/${n}.htm`,
  };
}

/** An FMP client whose JSON endpoint serves `pages` (or the same page for any page number). */
function fakeFmp(pages: SecFilingRow[][], ignorePage = false): FmpClient & { calls: number } {
  const fake = {
    calls: 0,
    baseUrl: "fake",
    ratePerMinute: 1,
    csv: () => {
      throw new Error("no CSV here");
    },
    async json(_endpoint: unknown, params: unknown) {
      fake.calls++;
      const page = ignorePage ? 0 : ((params as { page: number }).page ?? 0);
      const rows = pages[page] ?? [];
      return { rows, report: { requests: 1, retries: 0, skipped: 0 } };
    },
  };
  return fake as unknown as FmpClient & { calls: number };
}

describe("listSecFilings", () => {
  let market: TestMarket;
  beforeAll(async () => {
    market = await startTestMarket({ tickers: 120, asOf: "2026-03-02" });
  });
  afterAll(() => market.close());

  it("pages the sandbox's listing until a short page, newest first, every filing once", async () => {
    const window = { from: "2026-02-23", to: "2026-03-02" };
    const listing = await listSecFilings(market.fmp(), { formType: "8-K", window, pageSize: 5 });
    const expected = market.market.filings(window.from, window.to, "8-K");
    expect(listing.rows.map((r) => r.symbol)).toEqual(expected.map((f) => f.symbol));
    expect(listing.pages).toBe(Math.ceil((expected.length + 1) / 5));
    expect(listing.stoppedBy).toBe("short-page");
    expect(new Set(listing.rows.map((r) => r.finalLink)).size).toBe(expected.length);
  });

  it("stops when a page repeats the one before (a server ignoring `page`)", async () => {
    const page = [row("AAA", 1), row("BBB", 2)];
    const fmp = fakeFmp([page], true);
    const listing = await listSecFilings(fmp, {
      formType: "8-K",
      window: { from: "2026-02-23", to: "2026-03-02" },
      pageSize: 2,
    });
    expect(listing.stoppedBy).toBe("repeat");
    expect(listing.rows).toHaveLength(2);
    expect(fmp.calls).toBe(2);
  });

  it("stops at the page cap", async () => {
    const pages = Array.from({ length: 10 }, (_, p) => [row("AAA", 2 * p), row("BBB", 2 * p + 1)]);
    const listing = await listSecFilings(fakeFmp(pages), {
      formType: "8-K",
      window: { from: "2026-02-23", to: "2026-03-02" },
      pageSize: 2,
      maxPages: 3,
    });
    expect(listing.stoppedBy).toBe("max-pages");
    expect(listing.pages).toBe(3);
    expect(listing.rows).toHaveLength(6);
  });
});

describe("selectFilings", () => {
  it("keeps the form asked for, covered tickers, one ref per document", () => {
    const shared = { ...row("GOOGL", 7), finalLink: "https://www.sec.gov/x/goog.htm" };
    const rows = [
      row("aaa", 1),
      row("ZZZ", 2),
      row("AAA", 3, "8-K/A"),
      shared,
      { ...shared, symbol: "GOOG" },
      { ...row("AAA", 4), link: null, finalLink: null },
    ];
    const selection = selectFilings(rows, "8-K", new Set(["AAA", "GOOG", "GOOGL"]));
    expect(selection.refs.map((r) => [r.url, r.tickers])).toEqual([
      ["https://www.sec.gov/Archives/edgar/data/1/1.htm", ["AAA"]],
      ["https://www.sec.gov/x/goog.htm", ["GOOGL", "GOOG"]],
    ]);
    expect(selection).toMatchObject({ otherForms: 1, outsideUniverse: 1, withoutLink: 1 });
  });

  it("reads the primary document when FMP names one, else the index page", () => {
    expect(documentUrl({ link: "a-index.htm", finalLink: "a.htm" })).toBe("a.htm");
    expect(documentUrl({ link: "a-index.htm", finalLink: null })).toBe("a-index.htm");
  });
});

describe("dates", () => {
  it("lists eight days: a week back through the run's day", () => {
    expect(filingWindow("2026-03-02")).toEqual({ from: "2026-02-23", to: "2026-03-02" });
    expect(filingWindow("2026-01-05")).toEqual({ from: "2025-12-29", to: "2026-01-05" });
  });

  it("reads EDGAR timestamps as New York time, in winter and in summer", () => {
    expect(edgarInstant("2026-03-02 16:05:12")).toBe("2026-03-02T21:05:12.000Z");
    expect(edgarInstant("2026-07-01 16:05:12")).toBe("2026-07-01T20:05:12.000Z");
    expect(edgarInstant("2026-03-02")).toBe("2026-03-02T05:00:00.000Z");
    expect(edgarInstant("2026-03-08 03:30")).toBe("2026-03-08T07:30:00.000Z"); // after the switch
    expect(() => edgarInstant("March 2")).toThrow(/not an EDGAR timestamp/);
  });

  it("ends a day at the next New York midnight", () => {
    expect(endOfEdgarDay("2026-03-02")).toBe("2026-03-03T05:00:00.000Z");
    expect(endOfEdgarDay("2026-06-30")).toBe("2026-07-01T04:00:00.000Z");
  });

  it("chunks", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 50)).toEqual([]);
  });
});

describe("htmlToText", () => {
  it("decodes entities, numeric and named, and leaves unknown ones", () => {
    expect(decodeEntities("A&amp;B&#160;&#xA0;&nbsp;&rsquo;&#8212;&bogus;")).toBe(
      "A&B   '\u2014&bogus;",
    );
  });

  it("turns tags into spaces and drops scripts, styles, comments and the XBRL header", () => {
    const html = `<html><head><style>p{}</style><script>var item = 1;</script></head><body>
      <ix:header><ix:hidden>Item 1.01 hidden fact</ix:hidden></ix:header>
      <!-- Item 2.01 in a comment -->
      <p><b>Item</b>&#160;<b>7.</b>Management&#8217;s&nbsp;Discussion</p>\u00a0<p>end</p></body></html>`;
    expect(htmlToText(html)).toBe("Item 7. Management\u2019s Discussion end");
  });
});
