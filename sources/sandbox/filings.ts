/**
 * SEC filings of US-listed stocks, as FMP's stable `sec-filings-search/form-type` returns
 * them: 10-K with each annual report, 10-Q with each quarterly one, an 8-K (Item 2.02) a few
 * days before each report, and one to three event 8-Ks a year (items 1.01, 1.02, 2.01,
 * 5.02, 8.01). Their links point back at the sandbox server (/sandbox/sec/...), which serves
 * a small HTML document per filing, so the 8-K ingest can fetch and parse them offline.
 */
import { addDays, differenceInCalendarDays, getDayOfYear } from "date-fns";
import { isNyseTradingDay, toDate, toIso } from "./calendar.ts";
import { filingFor, ordinalQuarter, periodEndDate } from "./fiscal.ts";
import { hash3, unit } from "./random.ts";
import { firstFiscalYear } from "./statements.ts";
import type { Instrument } from "./universe.ts";

export type FormType = "10-K" | "10-Q" | "8-K";
export const FORM_TYPES: readonly FormType[] = ["10-K", "10-Q", "8-K"];

/** Path prefix of the filing documents on the sandbox server. */
export const SEC_DOCUMENT_PREFIX = "/sandbox/sec/Archives/edgar/data";

export interface SecFiling {
  symbol: string;
  cik: string;
  /** YYYY-MM-DD 00:00:00, as FMP writes it. */
  filingDate: string;
  /** YYYY-MM-DD HH:MM:SS */
  acceptedDate: string;
  formType: FormType;
  accession: string;
  /** Items an 8-K reports (e.g. "2.02"); empty for 10-K and 10-Q. */
  items: string[];
  /** Fiscal period a 10-K/10-Q covers, e.g. "FY2025" or "Q3 2026". */
  covers: string | null;
}

const EVENT_ITEMS = ["1.01", "1.02", "2.01", "5.02", "8.01"] as const;
const ITEM_TITLES: Record<string, string> = {
  "1.01": "Entry into a Material Definitive Agreement",
  "1.02": "Termination of a Material Definitive Agreement",
  "2.01": "Completion of Acquisition or Disposition of Assets",
  "2.02": "Results of Operations and Financial Condition",
  "5.02": "Departure of Directors or Certain Officers; Election of Directors",
  "8.01": "Other Events",
  "9.01": "Financial Statements and Exhibits",
};
const KIND_CODE: Record<string, number> = {
  "10-K": 1,
  "10-Q": 2,
  "8-K/earnings": 3,
  "8-K/event": 4,
};

function monthIndex(iso: string): number {
  return Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;
}

function tradingDayOnOrAfter(date: Date): string {
  let day = date;
  while (!isNyseTradingDay(toIso(day))) day = addDays(day, 1);
  return toIso(day);
}

function accessionFor(instrument: Instrument, date: string, kind: string, n: number): string {
  const sequence = (KIND_CODE[kind] ?? 9) * 100000 + getDayOfYear(toDate(date)) * 100 + n;
  return `${instrument.cik}-${date.slice(2, 4)}-${String(sequence).padStart(6, "0")}`;
}

function acceptedAt(date: string, key: number, earliestHour: number, spanHours: number): string {
  const seconds = earliestHour * 3600 + Math.floor(unit(key) * spanHours * 3600);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return `${date} ${hh}:${mm}:${ss}`;
}

function visible(
  instrument: Instrument,
  date: string,
  from: string,
  to: string,
  asOf: string,
): boolean {
  if (date < from || date > to || date > asOf || date < instrument.ipoDate) return false;
  return instrument.delistedDate === null || date <= instrument.delistedDate;
}

/** Every filing of one company with a filing date in [from, to] and on or before asOf. */
export function companyFilings(
  instrument: Instrument,
  from: string,
  to: string,
  asOf: string,
): SecFiling[] {
  if (instrument.type !== "stock" || instrument.cik === null || from > to) return [];
  const cik = instrument.cik;
  const filings: SecFiling[] = [];

  // Periodic reports: only quarters ending 0-3 months before the range can be filed in it.
  const m = instrument.fiscalYearEndMonth;
  const firstK = Math.max(
    Math.ceil((monthIndex(from) - 3 - m + 10) / 3),
    firstFiscalYear(instrument) * 4,
  );
  const lastK = Math.floor((monthIndex(to) - m + 10) / 3);
  for (let k = firstK; k <= lastK; k++) {
    const report = filingFor(instrument, k);
    const annual = ordinalQuarter(k) === 4;
    const fiscalYear = Math.floor(k / 4);
    const formType: FormType = annual ? "10-K" : "10-Q";
    if (visible(instrument, report.filingDate, from, to, asOf)) {
      filings.push({
        symbol: instrument.symbol,
        cik,
        filingDate: `${report.filingDate} 00:00:00`,
        acceptedDate: report.acceptedDate,
        formType,
        accession: accessionFor(instrument, report.filingDate, formType, 0),
        items: [],
        covers: annual ? `FY${fiscalYear}` : `Q${ordinalQuarter(k)} ${fiscalYear}`,
      });
    }
    // The earnings release comes 0-7 days before the report, at least 18 days after period end.
    const key = hash3(instrument.key, k, 0x8e);
    const reportDate = toDate(report.filingDate);
    const earliest = addDays(toDate(periodEndDate(instrument, k)), 18);
    let release = addDays(reportDate, -Math.floor(unit(key) * 8));
    if (release < earliest) release = earliest;
    const releaseDate = tradingDayOnOrAfter(release);
    if (visible(instrument, releaseDate, from, to, asOf)) {
      filings.push({
        symbol: instrument.symbol,
        cik,
        filingDate: `${releaseDate} 00:00:00`,
        acceptedDate: acceptedAt(releaseDate, key, 16, 1),
        formType: "8-K",
        accession: accessionFor(instrument, releaseDate, "8-K/earnings", 0),
        items: ["2.02", "9.01"],
        covers: null,
      });
    }
  }

  // Event 8-Ks: one to three a calendar year, on hashed days.
  const fromDate = toDate(from);
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    const count = 1 + Math.floor(unit(hash3(instrument.key, year, 0xe7)) * 3);
    const jan1 = new Date(year, 0, 1);
    const daysFromStart = differenceInCalendarDays(jan1, fromDate);
    for (let n = 0; n < count; n++) {
      const key = hash3(instrument.key, year, 0xe70 + n);
      const offset = Math.floor(unit(key) * 360);
      // Cheap reject before any date arithmetic: a day well before the range.
      if (daysFromStart + offset < -7) continue;
      const date = tradingDayOnOrAfter(addDays(jan1, offset));
      if (!visible(instrument, date, from, to, asOf)) continue;
      const item = EVENT_ITEMS[Math.floor(unit(hash3(key, 1, 2)) * EVENT_ITEMS.length)] ?? "8.01";
      filings.push({
        symbol: instrument.symbol,
        cik,
        filingDate: `${date} 00:00:00`,
        acceptedDate: acceptedAt(date, key, 7, 11),
        formType: "8-K",
        accession: accessionFor(instrument, date, "8-K/event", n + 1),
        items: [item],
        covers: null,
      });
    }
  }
  return filings;
}

/** Newest first, as FMP lists them. */
export function compareFilings(a: SecFiling, b: SecFiling): number {
  if (a.acceptedDate !== b.acceptedDate) return a.acceptedDate < b.acceptedDate ? 1 : -1;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.accession < b.accession ? -1 : 1;
}

export function documentPaths(filing: SecFiling): { index: string; document: string } {
  const folder = `${SEC_DOCUMENT_PREFIX}/${Number(filing.cik)}/${filing.accession.replaceAll("-", "")}`;
  const day = filing.filingDate.slice(0, 10).replaceAll("-", "");
  return {
    index: `${folder}/${filing.accession}-index.htm`,
    document: `${folder}/${filing.symbol.toLowerCase()}-${day}.htm`,
  };
}

/** JSON row as FMP's stable SEC search returns it; links are absolute on the sandbox. */
export function filingJson(filing: SecFiling, origin: string) {
  const paths = documentPaths(filing);
  return {
    symbol: filing.symbol,
    cik: filing.cik,
    filingDate: filing.filingDate,
    acceptedDate: filing.acceptedDate,
    formType: filing.formType,
    link: `${origin}${paths.index}`,
    finalLink: `${origin}${paths.document}`,
  };
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The HTML body of a filing's main document (deterministic, small, parseable). */
export function filingDocument(instrument: Instrument, filing: SecFiling): string {
  const name = escapeHtml(instrument.name);
  const title = `${filing.formType} ${name} ${filing.filingDate.slice(0, 10)}`;
  const parts = [
    `<html><head><title>${title}</title></head><body>`,
    `<h1>FORM ${filing.formType}</h1>`,
  ];
  parts.push(`<p>${name} (Commission CIK ${filing.cik})</p>`);
  if (filing.formType === "8-K") {
    for (const item of filing.items) {
      parts.push(`<p><b>Item&#160;${item}</b>&nbsp;${escapeHtml(ITEM_TITLES[item] ?? "")}.</p>`);
    }
  } else {
    const key = hash3(instrument.key, Number(filing.accession.slice(-6)), 0x10c);
    const supplierClause =
      unit(key) < 0.3
        ? "We rely on a limited number of suppliers, and in some cases a sole supplier, for key components."
        : "We source our inputs from multiple suppliers in several regions.";
    const regions = ["United States", "Canada", "Mexico", "China", "EU"].filter(
      (_, i) => unit(hash3(key, i, 0x6e0)) < 0.4,
    );
    const obligations = Math.round(unit(hash3(key, 9, 9)) * 5000);
    parts.push(
      `<h2>Item&#160;1. Business</h2><p>${name} operates in the ${escapeHtml(instrument.industry)} industry.</p>`,
      `<h2>Item&#160;1A. Risk Factors</h2><p>${supplierClause} We operate in ${regions.join(", ") || "the United States"}.</p>`,
      `<h2>Item&#160;7. Management's Discussion and Analysis</h2><p>Purchase obligations of $${obligations} million are outstanding.</p>`,
    );
  }
  parts.push("</body></html>");
  return parts.join("\n");
}

/** The one-link index page of a filing. */
export function filingIndexPage(filing: SecFiling, documentUrl: string): string {
  return `<html><body><h1>${filing.formType} ${filing.accession}</h1><p><a href="${documentUrl}">${documentUrl}</a></p></body></html>`;
}
