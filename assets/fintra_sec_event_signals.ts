/**
 * fintra_sec_event_signals: one material corporate event per 8-K filing and ticker, as the
 * filing's own item headings declare it.
 *
 * - Source: FMP's `sec-filings-search/form-type` (formType 8-K) lists the week's filings;
 *   the SEC document client fetches each filing's primary document (FMP's finalLink).
 * - Schedule: weekly, Mondays 07:00 New York, on its own cron so the daily graph never
 *   waits for it; the gate still requires the universe. Latest state (unpartitioned): a run
 *   for day D lists filing dates D-7 through D (eight days, so filings made on the previous
 *   run's day after it ran are not missed).
 *   The gate accepts a universe from the week before (depLookbackDays: 7): the
 *   Monday run precedes that day's 18:30 universe.
 * - Covered: active equities of the universe, or the scope's tickers.
 * - Detection (J24): `Item` followed by spaces or a non-breaking space (`&nbsp;`, `&#160;`,
 *   the raw character, also across tags) and one of 1.01, 1.02, 2.01, 5.02, 8.01. The
 *   highest-priority item wins (1 beats 2 beats 3, ties go to the item found first):
 *
 *     1.01 material_agreement      SUPPLY_CHAIN  1
 *     1.02 agreement_termination   SUPPLY_CHAIN  1
 *     2.01 acquisition_disposition STRATEGIC     1
 *     5.02 management_change       GOVERNANCE    2
 *     8.01 other_event             CORPORATE     3
 *
 *   A filing with none of them (earnings releases: items 2.02 and 9.01) is counted in the
 *   run's metadata, not written.
 * - Key (ticker, link); `link` is the document the signal was read from. A filing listed
 *   for two share classes gives one row per ticker from one fetch.
 * - Idempotent: links already stored are never fetched again, so a rerun writes nothing
 *   and changes no row; filings without a listed item are recorded as read
 *   (fintra_sec_documents_read) and not fetched again either. filing_date and
 *   accepted_date are EDGAR's New York clock stored as instants.
 * - Steps: one lists ("list-filings": returns the documents to fetch as keys), then one
 *   per batch of documents ("classify-documents-0", ...; 5 fetched at a time, paced by the
 *   SEC client) writes its rows and returns counts. Batch size and the run's cap:
 *   sec-documents.ts (50 documents a step, at most 150 steps and 6,000 documents a run at
 *   full scale).
 * - A document that cannot be fetched (404, over the size cap, retries spent) is counted
 *   and sampled, not fatal; a rerun of the week picks it up.
 * - More documents due than the cap: the run reads the first ones in listing order and
 *   reports the rest (`backlog`, `more`); the executors run it again at once, forced,
 *   while runs settle documents (every document fetched gets a row or a read record, so
 *   the backlog shrinks each run).
 * - Checks: nothing this run wrote is dated after its day (error); documents that failed
 *   (warn; error when every one failed, e.g. the SEC refusing the User-Agent).
 */
import pLimit from "p-limit";
import { defineTable } from "../db/index.ts";
import {
  chunk,
  documentPlan,
  edgarInstant,
  endOfEdgarDay,
  type FilingRef,
  type FilingWindow,
  filingWindow,
  listSecFilings,
  secDocuments,
  selectFilings,
} from "../sources/sec/index.ts";
import { skippedRowsWithin } from "./checks.ts";
import { type AssetCheck, type AssetContext, type CheckContext, defineAsset } from "./define.ts";
import { universeTickers } from "./fintra_universe.ts";
import {
  CONCURRENT_DOCUMENTS,
  documentBatches,
  documentCap,
  readWithoutRow,
  recordReadWithoutRow,
  secDocumentsReadTable,
} from "./sec-documents.ts";

const ASSET = "fintra_sec_event_signals";
export interface SecEventRow {
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

export interface EventClass {
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

export interface EventSignal extends EventClass {
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
const MAX_SAMPLES = 5;
/** Links per read of the stored ones (each is a bind parameter of one statement). */
const LINKS_PER_READ = 1_000;

/** Which of `refs` were read for every ticker they are filed for (a row, or none to give). */
export async function storedEventLinks(
  ctx: Pick<AssetContext, "db">,
  refs: readonly FilingRef[],
): Promise<Set<string>> {
  const have = new Set<string>();
  for (const part of chunk(refs, LINKS_PER_READ)) {
    const rows = await ctx.db.readAll(secEventSignalsTable, {
      where: {
        ticker: { in: [...new Set(part.flatMap((r) => r.tickers))] },
        link: { in: part.map((r) => r.url) },
      },
      columns: ["ticker", "link"],
    });
    for (const row of rows) have.add(`${row.ticker}|${row.link}`);
  }
  for (const key of await readWithoutRow(ctx.db, ASSET, refs)) have.add(key);
  return new Set(
    refs.filter((r) => r.tickers.every((t) => have.has(`${t}|${r.url}`))).map((r) => r.url),
  );
}

interface BatchResult {
  fetched: number;
  written: number;
  withoutItem: number;
  failed: number;
  retries: number;
  bytes: number;
  failures: string[];
  items: Record<string, number>;
  datedAfterRunDay: number;
  lateSamples: string[];
}

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
  const client = secDocuments();
  const dayEnd = Date.parse(endOfEdgarDay(ctx.runDate));
  const limit = pLimit(CONCURRENT_DOCUMENTS);
  const result = emptyResult();
  const rows: SecEventRow[] = [];
  const noRow: { ticker: string; link: string; outcome: string }[] = [];
  await Promise.all(
    refs.map((ref) =>
      limit(async () => {
        try {
          const document = await client.fetchDocument(ref.url);
          result.fetched++;
          result.retries += document.attempts - 1;
          result.bytes += document.bytes;
          const signal = classifyEvent(document.text);
          if (!signal) {
            result.withoutItem++;
            for (const ticker of ref.tickers) {
              noRow.push({ ticker, link: ref.url, outcome: "no_listed_item" });
            }
            return;
          }
          result.items[signal.item] = (result.items[signal.item] ?? 0) + 1;
          rows.push(...eventRows(ref, signal, updatedAt));
        } catch (error) {
          result.failed++;
          if (result.failures.length < MAX_SAMPLES) result.failures.push(messageOf(error));
        }
      }),
    ),
  );
  // Document order, so a batch writes the same statement whatever order fetches finished in.
  rows.sort((a, b) => (a.link + a.ticker < b.link + b.ticker ? -1 : 1));
  for (const row of rows.filter((r) => Date.parse(r.filing_date) >= dayEnd)) {
    result.datedAfterRunDay++;
    if (result.lateSamples.length < MAX_SAMPLES) {
      result.lateSamples.push(`${row.ticker} filed ${row.filing_date}`);
    }
  }
  result.written = await ctx.db.upsert(secEventSignalsTable, rows);
  await recordReadWithoutRow(ctx.db, ASSET, noRow, updatedAt);
  return result;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/*
 * The checks below read the run's metadata (`datedAfterRunDay`, `lateSamples`, `fetched`,
 * `failed`, `failures`), which each batch counts from the rows and documents it handled,
 * so the structural signals asset uses them too. (A reread by updated_at could not tell
 * this run's rows from an earlier run's under a fixed clock, as in tests and backfills.)
 */

/** Nothing the run wrote is dated after its day: FMP was asked for filings up to it. */
export function noSignalAfterRunDay(): AssetCheck {
  return {
    name: "no_signal_after_run_day",
    severity: "error",
    description: "no signal written by the run is dated after the run's day",
    async run(ctx: CheckContext) {
      const meta = ctx.result.metadata ?? {};
      const late = Number(meta.datedAfterRunDay ?? 0);
      const samples = Array.isArray(meta.lateSamples) ? meta.lateSamples.join(", ") : "";
      return {
        passed: late === 0,
        value: late,
        message:
          late === 0
            ? `no signal dated after ${ctx.runDate}`
            : `${late} rows dated after ${ctx.runDate}: ${samples}`,
      };
    },
  };
}

/** Documents that could not be fetched: a warning. */
export function documentsFetched(): AssetCheck {
  return {
    name: "documents_fetched",
    severity: "warn",
    description: "the filing documents listed could be fetched",
    async run(ctx: CheckContext) {
      const meta = ctx.result.metadata ?? {};
      const failed = Number(meta.failed ?? 0);
      const fetched = Number(meta.fetched ?? 0);
      const sample = Array.isArray(meta.failures) ? String(meta.failures[0] ?? "") : "";
      if (failed === 0) return { passed: true, value: 0, message: `${fetched} documents fetched` };
      return {
        passed: false,
        value: failed,
        message: `${failed} of ${failed + fetched} documents failed${sample ? `, e.g. ${sample}` : ""}`,
      };
    },
  };
}

/** Every listed document failed: the source is refusing us, not one filing being odd. */
export function someDocumentFetched(): AssetCheck {
  return {
    name: "some_document_fetched",
    severity: "error",
    description: "when documents were due, at least one was fetched",
    async run(ctx: CheckContext) {
      const meta = ctx.result.metadata ?? {};
      const failed = Number(meta.failed ?? 0);
      const fetched = Number(meta.fetched ?? 0);
      const passed = failed === 0 || fetched > 0;
      return {
        passed,
        value: fetched,
        message: passed
          ? `${fetched} documents fetched`
          : `all ${failed} documents failed: ${String((meta.failures as string[] | undefined)?.[0] ?? "")}`,
      };
    },
  };
}

/** The 8-Ks of the window to read: listed, narrowed to the universe, minus stored links (capped). */
export async function planEventFilings(
  ctx: Pick<AssetContext, "db" | "fmp" | "scope" | "now" | "stepScale">,
  window: FilingWindow,
) {
  const covered = new Set(await universeTickers(ctx, { equitiesOnly: true }));
  const listing = await listSecFilings(ctx.fmp(), { formType: FORM_TYPE, window });
  const selection = selectFilings(listing.rows, FORM_TYPE, covered);
  const stored = await storedEventLinks(ctx, selection.refs);
  const due = selection.refs.filter((r) => !stored.has(r.url));
  return documentPlan(listing, selection, stored.size, due, {
    cap: documentCap(ctx),
    // Stamped once, inside a step, so every batch and a replay under Inngest agree.
    updatedAt: ctx.now().toISOString(),
  });
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
  checks: [
    noSignalAfterRunDay(),
    documentsFetched(),
    someDocumentFetched(),
    // The FMP listing's rows: the documents themselves come from SEC, counted by the checks above.
    skippedRowsWithin({ figures: { read: "listed", skipped: "invalidRows" } }),
  ],
  async materialize(ctx) {
    const window = filingWindow(ctx.runDate);
    const plan = await ctx.step("list-filings", () => planEventFilings(ctx, window));

    const { perBatch, batches } = documentBatches(ctx, plan.due);
    ctx.progress.total(plan.due.length);
    const totals = emptyResult();
    for (const [index, batch] of batches.entries()) {
      const result = await ctx.step(`classify-documents-${index}`, () =>
        classifyBatch(ctx, batch, plan.updatedAt),
      );
      totals.fetched += result.fetched;
      totals.written += result.written;
      totals.withoutItem += result.withoutItem;
      totals.failed += result.failed;
      totals.retries += result.retries;
      totals.bytes += result.bytes;
      totals.failures.push(...result.failures.slice(0, MAX_SAMPLES - totals.failures.length));
      totals.datedAfterRunDay += result.datedAfterRunDay;
      totals.lateSamples.push(
        ...result.lateSamples.slice(0, MAX_SAMPLES - totals.lateSamples.length),
      );
      for (const [item, n] of Object.entries(result.items)) {
        totals.items[item] = (totals.items[item] ?? 0) + n;
      }
      ctx.progress.advance(batch.length);
    }

    const { due, ...listed } = plan;
    return {
      rows: totals.written,
      // Every document fetched is settled (a row, or recorded as giving none): progress.
      ...(plan.backlog > 0 && totals.fetched > 0
        ? { more: `${plan.backlog} documents due beyond this run's cap` }
        : {}),
      metadata: {
        window,
        ...listed,
        documentsDue: due.length,
        documentsPerStep: perBatch,
        ...totals,
      },
    };
  },
});
