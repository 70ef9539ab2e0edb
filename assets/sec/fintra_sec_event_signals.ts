/**
 * fintra_sec_event_signals: one material corporate event per 8-K filing and ticker, as the
 * filing's own item headings declare it (J24, `EVENT_ITEMS`).
 *
 * - Weekly (Mondays 07:00 New York) on its own cron, so the daily graph never waits for it. A
 *   run for D lists filings of D-7 through D, eight days, so filings made on the previous run's
 *   day after it ran are not missed; the gate takes a universe from the week before
 *   (depLookbackDays: 7), since the Monday run precedes that day's universe.
 * - FMP lists the filings; the SEC document client fetches each primary document.
 * - The highest-priority item wins (ties: the item found first). A filing with none of the
 *   listed items (earnings releases: 2.02 and 9.01) is counted, not written, and recorded as
 *   read (documents.ts) so no run fetches it again; nor is a stored link, so a rerun writes
 *   nothing.
 * - A run reads at most documents.ts's cap and leaves the rest as a backlog the executors run
 *   at once. A document that cannot be fetched is counted, not fatal; a rerun tries it again.
 */
import { defineTable } from "../../db/index.ts";
import { type AssetContext, defineAsset } from "../../runtime/define.ts";
import {
  edgarInstant,
  endOfEdgarDay,
  type FilingRef,
  type FilingWindow,
} from "../../sources/sec/index.ts";
import {
  countLate,
  type DocumentTally,
  documentChecks,
  fetchDocuments,
  materializeDocuments,
} from "./document-run.ts";
import {
  planFilings,
  readWithoutRow,
  recordReadWithoutRow,
  secDocumentsReadTable,
  settledLinks,
  storedPairs,
} from "./documents.ts";

const ASSET = "fintra_sec_event_signals";
interface SecEventRow {
  ticker: string;
  link: string;
  filing_date: string;
  accepted_date: string | null;
  event_type: string;
  event_category: string;
  sec_item: string;
  updated_at: string;
}

export const secEventSignalsTable = defineTable<SecEventRow>({
  name: "fintra_sec_event_signals",
  key: ["ticker", "link"],
  columns: {
    ticker: "text",
    link: "text",
    filing_date: "timestamptz",
    accepted_date: "timestamptz",
    event_type: "text",
    event_category: "text",
    sec_item: "text",
    updated_at: "timestamptz",
  },
});

interface EventClass {
  eventType: string;
  category: "SUPPLY_CHAIN" | "STRATEGIC" | "GOVERNANCE" | "CORPORATE";
  /** 1 is the most material. */
  priority: 1 | 2 | 3;
}

/** The 8-K items that make a signal, per J24. */
export const EVENT_ITEMS = {
  "1.01": { eventType: "material_agreement", category: "SUPPLY_CHAIN", priority: 1 },
  "1.02": { eventType: "agreement_termination", category: "SUPPLY_CHAIN", priority: 1 },
  "2.01": { eventType: "acquisition_disposition", category: "STRATEGIC", priority: 1 },
  "5.02": { eventType: "management_change", category: "GOVERNANCE", priority: 2 },
  "8.01": { eventType: "other_event", category: "CORPORATE", priority: 3 },
} as const satisfies Record<string, EventClass>;

export type EventItem = keyof typeof EVENT_ITEMS;

interface EventSignal extends EventClass {
  item: EventItem;
}

/*
 * `Item`, then spaces or non-breaking spaces (raw or as the entities EDGAR writes), then
 * the number. Tags between the word and the number count as space: headings are often
 * `<b>Item</b>&#160;<b>1.01</b>`. The number must not run on (1.011 is not 1.01).
 */
const SPACE = String.raw`(?:\s|&nbsp;|&#160;|&#xa0;|\u00a0|<[^>]*>)+`;
const ITEM_PATTERN = new RegExp(
  String.raw`\bitem${SPACE}(1\.01|1\.02|2\.01|5\.02|8\.01)(?![\d])`,
  "gi",
);

/** The listed items an 8-K document mentions, each once, in the order first found. */
export function detectEventItems(html: string): EventItem[] {
  const found: EventItem[] = [];
  for (const match of html.matchAll(ITEM_PATTERN)) {
    const item = match[1] as EventItem;
    if (!found.includes(item)) found.push(item);
  }
  return found;
}

/** The signal of an 8-K: its highest-priority listed item (ties: first found), or null. */
export function classifyEvent(html: string): EventSignal | null {
  let best: EventSignal | null = null;
  for (const item of detectEventItems(html)) {
    const known: EventClass = EVENT_ITEMS[item];
    if (!best || known.priority < best.priority) best = { item, ...known };
  }
  return best;
}

/** The rows of one classified filing: one per ticker it was listed for. */
export function eventRows(ref: FilingRef, signal: EventSignal, updatedAt: string): SecEventRow[] {
  const filingDate = edgarInstant(ref.filingDate);
  const acceptedDate = ref.acceptedDate ? edgarInstant(ref.acceptedDate) : null;
  return ref.tickers.map((ticker) => ({
    ticker,
    link: ref.url,
    filing_date: filingDate,
    accepted_date: acceptedDate,
    event_type: signal.eventType,
    event_category: signal.category,
    sec_item: signal.item,
    updated_at: updatedAt,
  }));
}

const FORM_TYPE = "8-K";

/** Which of `refs` were read for every ticker they are filed for (a row, or none to give). */
async function storedEventLinks(
  ctx: Pick<AssetContext, "db">,
  refs: readonly FilingRef[],
): Promise<Set<string>> {
  const have = await storedPairs(ctx.db, secEventSignalsTable, refs);
  for (const key of await readWithoutRow(ctx.db, ASSET, refs)) have.add(key);
  return settledLinks(refs, have);
}

interface BatchResult extends DocumentTally {
  withoutItem: number;
  items: Record<string, number>;
}

/** Nothing counted yet; the keys, in this order, are the run's metadata. */
function emptyResult(): BatchResult {
  return {
    fetched: 0,
    written: 0,
    withoutItem: 0,
    failed: 0,
    retries: 0,
    bytes: 0,
    failures: [],
    items: {},
    datedAfterRunDay: 0,
    lateSamples: [],
  };
}

async function classifyBatch(
  ctx: AssetContext,
  refs: readonly FilingRef[],
  updatedAt: string,
): Promise<BatchResult> {
  const result = emptyResult();
  const rows: SecEventRow[] = [];
  const noRow: { ticker: string; link: string; outcome: string }[] = [];
  await fetchDocuments(ctx, refs, result, (ref, html) => {
    const signal = classifyEvent(html);
    if (!signal) {
      result.withoutItem++;
      for (const ticker of ref.tickers) {
        noRow.push({ ticker, link: ref.url, outcome: "no_listed_item" });
      }
      return;
    }
    result.items[signal.item] = (result.items[signal.item] ?? 0) + 1;
    rows.push(...eventRows(ref, signal, updatedAt));
  });
  // Document order, so a batch writes the same statement whatever order fetches finished in.
  rows.sort((a, b) => (a.link + a.ticker < b.link + b.ticker ? -1 : 1));
  const dayEnd = Date.parse(endOfEdgarDay(ctx.runDate));
  countLate(
    result,
    rows.filter((r) => Date.parse(r.filing_date) >= dayEnd),
    (row) => `${row.ticker} filed ${row.filing_date}`,
  );
  result.written = await ctx.db.upsert(secEventSignalsTable, rows);
  await recordReadWithoutRow(ctx.db, ASSET, noRow, updatedAt);
  return result;
}

/** The 8-Ks of the window to read: listed, narrowed to the universe, minus stored links (capped). */
export function planEventFilings(
  ctx: Pick<AssetContext, "db" | "fmp" | "scope" | "now" | "stepScale">,
  window: FilingWindow,
) {
  return planFilings(ctx, window, { formType: FORM_TYPE, settled: storedEventLinks });
}

export default defineAsset({
  key: ASSET,
  description:
    "Material 8-K events per filing and ticker (agreements, acquisitions, management changes), weekly",
  deps: ["fintra_universe"],
  partitioned: false,
  cron: "TZ=America/New_York 0 7 * * 1",
  depLookbackDays: 7,
  sources: ["fmp"],
  tables: [secEventSignalsTable, secDocumentsReadTable],
  checks: documentChecks(),
  materialize: materializeDocuments({
    plan: planEventFilings,
    batchStep: "classify-documents",
    readBatch: classifyBatch,
    emptyTally: emptyResult,
    // Every document fetched is settled (a row, or recorded as giving none): progress.
    progressed: (totals) => totals.fetched > 0,
  }),
});
