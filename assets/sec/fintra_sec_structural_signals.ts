/**
 * fintra_sec_structural_signals: structural risk signals per company and fiscal year, read from
 * the words of its annual report (10-K) as J23 defined them.
 *
 * - The SEC's own primary document (FMP lists it) replaces FMP's financial-reports-json, which
 *   the old job read through a broken path; it is the text that endpoint was cut from.
 * - Weekly (Mondays 07:00 New York) like the 8-K signals: a run for D lists 10-Ks filed D-7
 *   through D; older years come from forcing runs for past Mondays.
 * - Only form "10-K": an amendment (10-K/A) restates a part and must not overwrite the whole.
 * - Text: Items 1 to 2 and Item 7, each the longest span from its heading to the next (the
 *   table of contents repeats every heading a line apart); without headings, the whole text.
 * - Purchase obligations take the first dollar amount near the phrase: J23 took the first
 *   number of any kind, which reads "December 31, 2025" as 31.
 * - A fiscal year not stated on the cover page is the year of (filing date − 105 days): a 10-K
 *   comes 60 to 90 days after the year end, 105 with the extension. On the sandbox's 10-Ks that
 *   names 95 % of years right, where "filed before July: the year before" named 88 %; January
 *   year ends filed in March are still named a year early.
 * - A newer 10-K for a stored year replaces its row, an older one never does; stored links are
 *   not fetched again, so a rerun writes nothing. Batches and the run's cap: documents.ts.
 */
import { format, parseISO, subDays } from "date-fns";
import { defineTable } from "../../db/index.ts";
import { type AssetContext, defineAsset } from "../../runtime/define.ts";
import {
  chunk,
  edgarInstant,
  endOfEdgarDay,
  type FilingRef,
  type FilingWindow,
  htmlToText,
} from "../../sources/sec/index.ts";
import {
  countLate,
  type DocumentTally,
  documentChecks,
  fetchDocuments,
  materializeDocuments,
} from "./document-run.ts";
import { planFilings, settledLinks } from "./documents.ts";

type SupplierConcentration = "high" | "medium" | "low";
type EnvironmentalExposure = "high" | "low";
type FiscalYearBasis = "stated" | "filing_date";

interface SecStructuralRow {
  ticker: string;
  fiscal_year: number;
  supplier_concentration: SupplierConcentration;
  single_source_dependency: boolean;
  purchase_obligations_amount: number | null;
  purchase_obligations_currency: string | null;
  geographic_exposure: string[];
  environmental_exposure: EnvironmentalExposure;
  source: string;
  fiscal_year_basis: FiscalYearBasis;
  filing_date: string;
  link: string;
  updated_at: string;
}

export const secStructuralSignalsTable = defineTable<SecStructuralRow>({
  name: "fintra_sec_structural_signals",
  key: ["ticker", "fiscal_year"],
  columns: {
    ticker: "text",
    fiscal_year: "integer",
    supplier_concentration: "text",
    single_source_dependency: "boolean",
    purchase_obligations_amount: "numeric",
    purchase_obligations_currency: "text",
    geographic_exposure: "text[]",
    environmental_exposure: "text",
    source: "text",
    fiscal_year_basis: "text",
    filing_date: "timestamptz",
    link: "text",
    updated_at: "timestamptz",
  },
});

// ---------------------------------------------------------------- sections

/** A heading: "Item 7", an optional ".", ":" or dash, then its title's first words. */
function heading(item: string, title: string): string {
  return String.raw`\bitem\s*${item}\s*[.:\-\u2013\u2014]?\s*${title}`;
}

const BUSINESS = new RegExp(heading("1", "business\\b"), "gi");
const LEGAL_PROCEEDINGS = new RegExp(heading("3", "legal\\s+proceedings\\b"), "gi");
const MDNA = new RegExp(heading("7", "management[\\s\\S]{0,3}s\\s+discussion\\b"), "gi");
const AFTER_MDNA = new RegExp(
  `${heading("7a", "quantitative\\b")}|${heading("8", "financial\\s+statements\\b")}`,
  "gi",
);

/**
 * The longest span from a `start` heading to the next `end` heading (or the end of the
 * text). The table of contents lists every heading a few words apart, so its spans are
 * short and the section itself is the longest.
 */
function sectionText(text: string, start: RegExp, end: RegExp): string | null {
  let best: string | null = null;
  for (const match of text.matchAll(new RegExp(start.source, "gi"))) {
    const from = match.index;
    const after = new RegExp(end.source, "gi");
    after.lastIndex = from + match[0].length;
    const to = after.exec(text)?.index ?? text.length;
    if (best === null || to - from > best.length) best = text.slice(from, to);
  }
  return best;
}

interface ReportSections {
  /** Items 1 to 2: business, risk factors, properties. */
  business: string | null;
  /** Item 7: management's discussion and analysis. */
  mdna: string | null;
}

export function reportSections(text: string): ReportSections {
  return {
    business: sectionText(text, BUSINESS, LEGAL_PROCEEDINGS),
    mdna: sectionText(text, MDNA, AFTER_MDNA),
  };
}

// ---------------------------------------------------------------- signals

const LIMITED_SUPPLIERS = /\blimited number of (?:[\w-]+ ){0,2}suppliers\b/;
const SINGLE_SOURCE = /\b(?:sole|single)(?: |-)(?:supplier|source)s?\b/;
const MULTIPLE_SUPPLIERS = /\bmultiple suppliers\b/;

export function supplierConcentration(lowerText: string): SupplierConcentration {
  if (LIMITED_SUPPLIERS.test(lowerText) || SINGLE_SOURCE.test(lowerText)) return "high";
  if (MULTIPLE_SUPPLIERS.test(lowerText)) return "low";
  return "medium";
}

export function singleSourceDependency(lowerText: string): boolean {
  return SINGLE_SOURCE.test(lowerText);
}

const REGIONS: readonly [string, RegExp][] = [
  ["China", /\bchina\b/],
  ["EU", /\beu\b|\beuropean union\b/],
  ["United States", /\bunited states\b/],
  ["Mexico", /\bmexico\b/],
  ["Canada", /\bcanada\b/],
];

/** The regions the text names, in J23's order. */
export function geographicExposure(lowerText: string): string[] {
  return REGIONS.filter(([, pattern]) => pattern.test(lowerText)).map(([name]) => name);
}

export function environmentalExposure(lowerText: string): EnvironmentalExposure {
  return /\b(?:mining|energy|manufacturing)\b/.test(lowerText) ? "high" : "low";
}

const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };
const OBLIGATIONS = /\b(?:purchase|contractual) obligations\b/g;
const AMOUNT = /\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(thousand|million|billion)s?\b)?/;
const TABLE_SCALE = /\bin (thousands|millions|billions)\b/;

/**
 * The first dollar amount within 400 characters after "purchase obligations" or
 * "contractual obligations", in dollars: "$1,250 million" is 1.25e9, and "(in millions)"
 * between the phrase and the amount scales it too. null when there is none.
 */
export function purchaseObligationsAmount(lowerText: string): number | null {
  for (const phrase of lowerText.matchAll(OBLIGATIONS)) {
    const window = lowerText.slice(phrase.index + phrase[0].length, phrase.index + 400);
    const amount = AMOUNT.exec(window);
    if (!amount) continue;
    const value = Number(`${amount[1]!.replaceAll(",", "")}.${amount[2] ?? "0"}`);
    const word = amount[3] ?? TABLE_SCALE.exec(window.slice(0, amount.index))?.[1]?.slice(0, -1);
    return value * (word ? (SCALES[word] ?? 1) : 1);
  }
  return null;
}

interface StructuralSignals {
  supplierConcentration: SupplierConcentration;
  singleSourceDependency: boolean;
  geographicExposure: string[];
  environmentalExposure: EnvironmentalExposure;
  purchaseObligationsAmount: number | null;
}

/** Every J23 signal of a 10-K's text (plain text, as htmlToText gives it). */
export function structuralSignals(text: string): StructuralSignals {
  const sections = reportSections(text);
  const read = [sections.business, sections.mdna].filter((s): s is string => s !== null);
  const lower = (read.length > 0 ? read.join(" ") : text).toLowerCase();
  const mdna = (sections.mdna ?? text).toLowerCase();
  return {
    supplierConcentration: supplierConcentration(lower),
    singleSourceDependency: singleSourceDependency(lower),
    geographicExposure: geographicExposure(lower),
    environmentalExposure: environmentalExposure(lower),
    purchaseObligationsAmount: purchaseObligationsAmount(mdna),
  };
}

// ---------------------------------------------------------------- fiscal year

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const STATED_YEAR_END =
  /\b(?:fiscal\s+)?year\s+ended:?\s+([a-z]+)\.?\s+(\d{1,2})\s*,?\s*(\d{4})\b/gi;
/** The cover page: "For the fiscal year ended ..." comes before any comparative period. */
const COVER_CHARS = 10_000;

/** The year the report's fiscal year ends in, as its cover page states it; null if it does not. */
export function statedFiscalYear(text: string, filingYear: number): number | null {
  for (const match of text.slice(0, COVER_CHARS).matchAll(STATED_YEAR_END)) {
    const month = match[1]!.toLowerCase();
    const year = Number(match[3]);
    const known = MONTHS.some((m) => m === month || (month.length >= 3 && m.startsWith(month)));
    // A 10-K covers a year that ended before it was filed, and not long before.
    if (known && year <= filingYear && year >= filingYear - 2) return year;
  }
  return null;
}

/** A 10-K comes at most 90 days after the year end, 105 with the 15-day extension. */
const LONGEST_FILING_LAG_DAYS = 105;

/** The fiscal year a 10-K filed on `filingDate` most likely covers. */
export function fiscalYearFromFilingDate(filingDate: string): number {
  return Number(
    format(subDays(parseISO(filingDate.slice(0, 10)), LONGEST_FILING_LAG_DAYS), "yyyy"),
  );
}

export function fiscalYearOf(
  text: string,
  filingDate: string,
): { fiscalYear: number; basis: FiscalYearBasis } {
  const stated = statedFiscalYear(text, Number(filingDate.slice(0, 4)));
  if (stated !== null) return { fiscalYear: stated, basis: "stated" };
  return { fiscalYear: fiscalYearFromFilingDate(filingDate), basis: "filing_date" };
}

/** The rows of one 10-K: one per ticker it was listed for. */
export function structuralRows(
  ref: FilingRef,
  html: string,
  updatedAt: string,
): SecStructuralRow[] {
  const text = htmlToText(html);
  const signals = structuralSignals(text);
  const { fiscalYear, basis } = fiscalYearOf(text, ref.filingDate);
  const amount = signals.purchaseObligationsAmount;
  return ref.tickers.map((ticker) => ({
    ticker,
    fiscal_year: fiscalYear,
    supplier_concentration: signals.supplierConcentration,
    single_source_dependency: signals.singleSourceDependency,
    purchase_obligations_amount: amount,
    // Filers report in dollars; a currency without an amount would claim nothing.
    purchase_obligations_currency: amount === null ? null : "USD",
    geographic_exposure: signals.geographicExposure,
    environmental_exposure: signals.environmentalExposure,
    source: "SEC_10K",
    fiscal_year_basis: basis,
    filing_date: edgarInstant(ref.filingDate),
    link: ref.url,
    updated_at: updatedAt,
  }));
}

// ---------------------------------------------------------------- the asset

const FORM_TYPE = "10-K";
const TICKERS_PER_READ = 1_000;

/** The documents whose rows exist for every ticker they are filed for. */
async function storedLinks(
  ctx: Pick<AssetContext, "db">,
  refs: readonly FilingRef[],
): Promise<Set<string>> {
  const tickers = [...new Set(refs.flatMap((r) => r.tickers))];
  const have = new Set<string>();
  for (const part of chunk(tickers, TICKERS_PER_READ)) {
    const rows = await ctx.db.readAll(secStructuralSignalsTable, {
      where: { ticker: { in: part } },
      columns: ["ticker", "fiscal_year", "link"],
    });
    for (const row of rows) have.add(`${row.ticker}|${row.link}`);
  }
  return settledLinks(refs, have);
}

/** Drops rows whose year is stored from a later report: an older report never wins. */
async function withoutOlderReports(
  ctx: Pick<AssetContext, "db">,
  rows: SecStructuralRow[],
): Promise<{ kept: SecStructuralRow[]; older: number }> {
  if (rows.length === 0) return { kept: rows, older: 0 };
  const stored = await ctx.db.readAll(secStructuralSignalsTable, {
    where: {
      ticker: { in: [...new Set(rows.map((r) => r.ticker))] },
      fiscal_year: { in: [...new Set(rows.map((r) => r.fiscal_year))] },
    },
    columns: ["ticker", "fiscal_year", "filing_date", "link"],
  });
  const latest = new Map(stored.map((r) => [`${r.ticker}|${r.fiscal_year}`, r]));
  const kept = rows.filter((row) => {
    const have = latest.get(`${row.ticker}|${row.fiscal_year}`);
    return !have || newerReport(row, have) >= 0;
  });
  return { kept, older: rows.length - kept.length };
}

/** Orders reports by filing date, then link (a stable tie-break for same-day filings). */
function newerReport(
  a: Pick<SecStructuralRow, "filing_date" | "link">,
  b: Pick<SecStructuralRow, "filing_date" | "link">,
): number {
  const ta = Date.parse(a.filing_date);
  const tb = Date.parse(b.filing_date);
  if (ta !== tb) return ta - tb;
  return a.link === b.link ? 0 : a.link > b.link ? 1 : -1;
}

interface BatchResult extends DocumentTally {
  olderThanStored: number;
  statedFiscalYear: number;
}

/** Nothing counted yet; the keys, in this order, are the run's metadata. */
function emptyResult(): BatchResult {
  return {
    fetched: 0,
    written: 0,
    olderThanStored: 0,
    failed: 0,
    retries: 0,
    bytes: 0,
    statedFiscalYear: 0,
    failures: [],
    datedAfterRunDay: 0,
    lateSamples: [],
  };
}

/** Filed after the run's day, or for a fiscal year that ends after the run's year. */
function datedAfter(row: SecStructuralRow, runDate: string): boolean {
  return (
    Date.parse(row.filing_date) >= Date.parse(endOfEdgarDay(runDate)) ||
    row.fiscal_year > Number(runDate.slice(0, 4))
  );
}

async function readBatch(
  ctx: AssetContext,
  refs: readonly FilingRef[],
  updatedAt: string,
): Promise<BatchResult> {
  const result = emptyResult();
  const rows: SecStructuralRow[] = [];
  await fetchDocuments(ctx, refs, result, (ref, html) => {
    const built = structuralRows(ref, html, updatedAt);
    if (built[0]?.fiscal_year_basis === "stated") result.statedFiscalYear++;
    rows.push(...built);
  });
  // Oldest first: when two reports of one year meet in a batch, the newer is written last
  // and wins (the Store keeps the last row of a key).
  rows.sort(newerReport);
  const { kept, older } = await withoutOlderReports(ctx, rows);
  result.olderThanStored = older;
  countLate(
    result,
    kept.filter((r) => datedAfter(r, ctx.runDate)),
    (row) => `${row.ticker} FY${row.fiscal_year} filed ${row.filing_date}`,
  );
  result.written = await ctx.db.upsert(secStructuralSignalsTable, kept);
  return result;
}

/** Oldest first, so a later report of the same year is read, and wins, last. */
function oldestFirst(due: FilingRef[]): FilingRef[] {
  return due.sort((a, b) =>
    a.filingDate === b.filingDate
      ? (a.acceptedDate ?? "").localeCompare(b.acceptedDate ?? "")
      : a.filingDate.localeCompare(b.filingDate),
  );
}

/** The 10-Ks and 10-Qs of the window to read: listed, narrowed to the universe, minus stored links (capped). */
export function planReportFilings(
  ctx: Pick<AssetContext, "db" | "fmp" | "scope" | "now" | "stepScale">,
  window: FilingWindow,
) {
  return planFilings(ctx, window, {
    formType: FORM_TYPE,
    settled: storedLinks,
    order: oldestFirst,
  });
}

export default defineAsset({
  key: "fintra_sec_structural_signals",
  description:
    "Supplier, geographic and environmental risk signals per company and fiscal year, from 10-K text, weekly",
  deps: ["fintra_universe"],
  partitioned: false,
  cron: "TZ=America/New_York 0 7 * * 1",
  depLookbackDays: 7,
  sources: ["fmp"],
  tables: [secStructuralSignalsTable],
  checks: documentChecks(),
  materialize: materializeDocuments({
    plan: planReportFilings,
    batchStep: "read-reports",
    readBatch,
    emptyTally: emptyResult,
    // Reports written are settled (their links stored); the next run takes the rest.
    progressed: (totals) => totals.written > 0,
  }),
});
