/**
 * The pure parts of the SEC assets: 8-K item detection and classification (J24), and the
 * 10-K's sections, keyword signals and fiscal year (J23).
 */
import { describe, expect, it } from "vitest";
import {
  documentsFetched,
  noSignalAfterRunDay,
  someDocumentFetched,
} from "../../../assets/sec/document-run.ts";
import {
  classifyEvent,
  detectEventItems,
  eventRows,
} from "../../../assets/sec/fintra_sec_event_signals.ts";
import {
  environmentalExposure,
  fiscalYearFromFilingDate,
  fiscalYearOf,
  geographicExposure,
  purchaseObligationsAmount,
  reportSections,
  singleSourceDependency,
  statedFiscalYear,
  structuralRows,
  structuralSignals,
  supplierConcentration,
} from "../../../assets/sec/fintra_sec_structural_signals.ts";
import type { CheckContext } from "../../../runtime/define.ts";
import { htmlToText } from "../../../sources/sec/index.ts";

describe("detectEventItems", () => {
  it("finds Item followed by spaces, &nbsp;, &#160; or the raw character", () => {
    expect(detectEventItems("<p>Item 1.01 Entry</p>")).toEqual(["1.01"]);
    expect(detectEventItems("<p>Item&nbsp;1.02</p>")).toEqual(["1.02"]);
    expect(detectEventItems("<p>Item&#160;2.01</p>")).toEqual(["2.01"]);
    expect(detectEventItems("<p>Item\u00a05.02</p>")).toEqual(["5.02"]);
    expect(detectEventItems("<p>ITEM   8.01</p>")).toEqual(["8.01"]);
    expect(detectEventItems("<p>Item&#xA0;&#160; 1.01</p>")).toEqual(["1.01"]);
  });

  it("reads through tags between the word and the number", () => {
    expect(detectEventItems("<b>Item</b>&#160;<span>5.02</span>")).toEqual(["5.02"]);
  });

  it("ignores other items, run-on numbers, and words ending in item", () => {
    expect(detectEventItems("Item 2.02 Results. Item 9.01 Exhibits.")).toEqual([]);
    expect(detectEventItems("Item 1.011 and Item 80.01")).toEqual([]);
    expect(detectEventItems("lineitem 1.01")).toEqual([]);
    expect(detectEventItems("Item1.01")).toEqual([]);
  });

  it("lists each item once, in document order", () => {
    expect(detectEventItems("Item 8.01 x Item 1.01 y Item 8.01 z Item 5.02")).toEqual([
      "8.01",
      "1.01",
      "5.02",
    ]);
  });
});

describe("classifyEvent", () => {
  it("maps each item to its type, category and priority", () => {
    expect(classifyEvent("Item 1.01")).toEqual({
      item: "1.01",
      eventType: "material_agreement",
      category: "SUPPLY_CHAIN",
      priority: 1,
    });
    expect(classifyEvent("Item 1.02")?.eventType).toBe("agreement_termination");
    expect(classifyEvent("Item 2.01")).toMatchObject({
      eventType: "acquisition_disposition",
      category: "STRATEGIC",
    });
    expect(classifyEvent("Item 5.02")).toMatchObject({
      eventType: "management_change",
      category: "GOVERNANCE",
      priority: 2,
    });
    expect(classifyEvent("Item 8.01")).toMatchObject({
      eventType: "other_event",
      category: "CORPORATE",
      priority: 3,
    });
  });

  it("keeps the highest priority; ties go to the item found first", () => {
    expect(classifyEvent("Item 8.01 ... Item 5.02 ... Item 2.01")?.item).toBe("2.01");
    expect(classifyEvent("Item 8.01 ... Item 5.02")?.item).toBe("5.02");
    expect(classifyEvent("Item 2.01 ... Item 1.01")?.item).toBe("2.01");
    expect(classifyEvent("Item 1.02 ... Item 1.01")?.item).toBe("1.02");
  });

  it("is null for a filing with none of the listed items", () => {
    expect(classifyEvent("<p>Item&#160;2.02 Results of Operations</p>")).toBeNull();
    expect(classifyEvent("")).toBeNull();
  });

  it("makes one row per ticker the filing was listed for, on EDGAR's clock", () => {
    const signal = classifyEvent("Item 1.01");
    if (!signal) throw new Error("no signal");
    const rows = eventRows(
      {
        url: "https://www.sec.gov/a.htm",
        tickers: ["GOOGL", "GOOG"],
        filingDate: "2026-03-02 00:00:00",
        acceptedDate: "2026-03-02 16:30:00",
      },
      signal,
      "2026-03-02T12:00:00.000Z",
    );
    expect(rows).toEqual(
      ["GOOGL", "GOOG"].map((ticker) => ({
        ticker,
        link: "https://www.sec.gov/a.htm",
        filing_date: "2026-03-02T05:00:00.000Z",
        accepted_date: "2026-03-02T21:30:00.000Z",
        event_type: "material_agreement",
        event_category: "SUPPLY_CHAIN",
        sec_item: "1.01",
        updated_at: "2026-03-02T12:00:00.000Z",
      })),
    );
  });
});

describe("structural keywords", () => {
  it("grades supplier concentration", () => {
    expect(supplierConcentration("we rely on a limited number of suppliers")).toBe("high");
    expect(supplierConcentration("a limited number of third-party suppliers")).toBe("high");
    expect(supplierConcentration("one sole supplier makes it")).toBe("high");
    expect(supplierConcentration("single-source components")).toBe("high");
    expect(supplierConcentration("we buy from multiple suppliers")).toBe("low");
    expect(
      supplierConcentration("multiple suppliers, but a limited number of suppliers for chips"),
    ).toBe("high");
    expect(supplierConcentration("suppliers exist")).toBe("medium");
  });

  it("flags single-source dependency", () => {
    expect(singleSourceDependency("a sole supplier")).toBe(true);
    expect(singleSourceDependency("a single supplier")).toBe(true);
    expect(singleSourceDependency("sole-source parts")).toBe(true);
    expect(singleSourceDependency("a limited number of suppliers")).toBe(false);
  });

  it("lists regions named as whole words, in J23's order", () => {
    expect(geographicExposure("sales in canada, china and the united states")).toEqual([
      "China",
      "United States",
      "Canada",
    ]);
    expect(geographicExposure("the eu and mexico")).toEqual(["EU", "Mexico"]);
    expect(geographicExposure("the european union")).toEqual(["EU"]);
    expect(geographicExposure("chinaware, neuroscience, canadas")).toEqual([]);
    expect(geographicExposure("nowhere")).toEqual([]);
  });

  it("grades environmental exposure", () => {
    expect(environmentalExposure("copper mining operations")).toBe("high");
    expect(environmentalExposure("renewable energy")).toBe("high");
    expect(environmentalExposure("contract manufacturing")).toBe("high");
    expect(environmentalExposure("software and energetic people")).toBe("low");
  });

  it("reads the first dollar amount after the obligations phrase, scaled", () => {
    expect(purchaseObligationsAmount("purchase obligations of $1,234 million are due")).toBe(
      1_234_000_000,
    );
    expect(purchaseObligationsAmount("contractual obligations totaled $2.5 billion")).toBe(2.5e9);
    expect(
      purchaseObligationsAmount(
        "contractual obligations as of december 31, 2025 (in thousands): total $ 12,345",
      ),
    ).toBe(12_345_000);
    expect(purchaseObligationsAmount("purchase obligations were $87,500")).toBe(87_500);
    expect(purchaseObligationsAmount("we have no purchase obligations.")).toBeNull();
    expect(
      purchaseObligationsAmount(
        `purchase obligations ${"x".repeat(500)} $5 million; later contractual obligations of $7 million`,
      ),
    ).toBe(7_000_000);
  });
});

const TEN_K = `<html><body>
<p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</p><p>FORM 10-K</p>
<p>For the fiscal year ended September&#160;27, 2025</p>
<p>TABLE OF CONTENTS</p>
<p>Item 1. Business 3</p><p>Item 1A. Risk Factors 9</p><p>Item 3. Legal Proceedings 20</p>
<p>Item 7. Management&#8217;s Discussion and Analysis 25</p><p>Item 8. Financial Statements 40</p>
<h2>Item&#160;1. Business</h2><p>We design phones. We rely on a sole supplier for chips made in China.</p>
<h2>Item&#160;1A. Risk Factors</h2><p>Sales in the European Union may fall.</p>
<h2>Item 2. Properties</h2><p>Our headquarters are in the United States.</p>
<h2>Item&#160;3. Legal Proceedings</h2><p>Mining claims in Canada; energy disputes.</p>
<h2>Item 7. Management&#8217;s Discussion and Analysis</h2>
<p>Contractual obligations as of September 27, 2025 were $3.2 billion.</p>
<h2>Item 7A. Quantitative and Qualitative Disclosures</h2><p>Purchase obligations: $9 million.</p>
<h2>Item 8. Financial Statements</h2><p>Manufacturing overhead.</p>
</body></html>`;

describe("10-K sections and signals", () => {
  const text = htmlToText(TEN_K);

  it("takes each section from its heading, not from the table of contents", () => {
    const sections = reportSections(text);
    expect(sections.business).toMatch(/^Item 1\. Business We design phones/);
    expect(sections.business).toContain("United States");
    expect(sections.business).not.toContain("Legal Proceedings Mining");
    expect(sections.mdna).toMatch(
      /^Item 7\. Management\u2019s Discussion and Analysis Contractual/,
    );
    expect(sections.mdna).not.toContain("$9 million");
  });

  it("reads the signals from Items 1-2 and 7 only", () => {
    expect(structuralSignals(text)).toEqual({
      supplierConcentration: "high",
      singleSourceDependency: true,
      geographicExposure: ["China", "EU", "United States"],
      // Mining, energy and manufacturing appear only in Items 3 and 8.
      environmentalExposure: "low",
      purchaseObligationsAmount: 3.2e9,
    });
  });

  it("reads a document without item headings whole", () => {
    expect(structuralSignals("Energy from multiple suppliers in Mexico.")).toEqual({
      supplierConcentration: "low",
      singleSourceDependency: false,
      geographicExposure: ["Mexico"],
      environmentalExposure: "high",
      purchaseObligationsAmount: null,
    });
  });
});

describe("fiscal year", () => {
  it("takes the year the cover page says the fiscal year ended in", () => {
    expect(statedFiscalYear(htmlToText(TEN_K), 2025)).toBe(2025);
    expect(statedFiscalYear("FOR THE FISCAL YEAR ENDED DECEMBER 31, 2025", 2026)).toBe(2025);
    expect(statedFiscalYear("For the fiscal year ended: Jan. 31, 2026", 2026)).toBe(2026);
    expect(statedFiscalYear("for the year ended June 30 2026", 2026)).toBe(2026);
  });

  it("ignores what cannot be the covered year", () => {
    expect(statedFiscalYear("fiscal year ended Smarch 31, 2025", 2026)).toBeNull();
    expect(statedFiscalYear("fiscal year ended December 31, 2030", 2026)).toBeNull();
    expect(
      statedFiscalYear(`${"x".repeat(10_000)} fiscal year ended March 31, 2026`, 2026),
    ).toBeNull();
  });

  it("without one, infers it from the filing date (year end at most 105 days before)", () => {
    expect(fiscalYearFromFilingDate("2026-02-27 00:00:00")).toBe(2025); // December year end
    expect(fiscalYearFromFilingDate("2026-04-15")).toBe(2025); // December, extended
    expect(fiscalYearFromFilingDate("2026-05-28")).toBe(2026); // March year end
    expect(fiscalYearFromFilingDate("2026-08-25")).toBe(2026); // June year end
    expect(fiscalYearFromFilingDate("2026-11-20")).toBe(2026); // September year end
  });

  it("says which it used", () => {
    expect(fiscalYearOf("For the fiscal year ended March 31, 2026", "2026-05-20")).toEqual({
      fiscalYear: 2026,
      basis: "stated",
    });
    expect(fiscalYearOf("no cover", "2026-03-01 00:00:00")).toEqual({
      fiscalYear: 2025,
      basis: "filing_date",
    });
  });

  it("builds one row per ticker, USD only with an amount", () => {
    const ref = {
      url: "https://www.sec.gov/k.htm",
      tickers: ["AAA"],
      filingDate: "2025-11-01 00:00:00",
      acceptedDate: null,
    };
    const [row] = structuralRows(ref, TEN_K, "2026-03-02T12:00:00.000Z");
    expect(row).toMatchObject({
      ticker: "AAA",
      fiscal_year: 2025,
      fiscal_year_basis: "stated",
      purchase_obligations_amount: 3.2e9,
      purchase_obligations_currency: "USD",
      source: "SEC_10K",
      filing_date: "2025-11-01T04:00:00.000Z",
      link: "https://www.sec.gov/k.htm",
    });
    const [bare] = structuralRows(ref, "<p>nothing</p>", "2026-03-02T12:00:00.000Z");
    expect(bare).toMatchObject({
      purchase_obligations_amount: null,
      purchase_obligations_currency: null,
      supplier_concentration: "medium",
      geographic_exposure: [],
    });
  });
});

describe("checks on the run's metadata", () => {
  const context = (metadata: Record<string, unknown>) =>
    ({
      db: null,
      asset: "fintra_sec_event_signals",
      partition: null,
      runDate: "2026-03-02",
      scope: null,
      result: { rows: 1, metadata },
    }) as unknown as CheckContext;

  it("fails when the run wrote a signal dated after its day", async () => {
    const check = noSignalAfterRunDay();
    expect(check.severity).toBe("error");
    expect(await check.run(context({ datedAfterRunDay: 0 }))).toMatchObject({ passed: true });
    expect(
      await check.run(context({ datedAfterRunDay: 1, lateSamples: ["AAA filed 2026-03-04"] })),
    ).toMatchObject({
      passed: false,
      value: 1,
      message: "1 rows dated after 2026-03-02: AAA filed 2026-03-04",
    });
  });

  it("warns on failed documents, and errs only when every one failed", async () => {
    const some = { fetched: 3, failed: 1, failures: ["SEC document x: HTTP 404"] };
    const all = { fetched: 0, failed: 2, failures: ["SEC document x: HTTP 403"] };
    expect(await documentsFetched().run(context(some))).toMatchObject({
      passed: false,
      message: "1 of 4 documents failed, e.g. SEC document x: HTTP 404",
    });
    expect(await someDocumentFetched().run(context(some))).toMatchObject({ passed: true });
    expect(await someDocumentFetched().run(context(all))).toMatchObject({ passed: false });
    expect(await someDocumentFetched().run(context({ fetched: 0, failed: 0 }))).toMatchObject({
      passed: true,
    });
  });
});
