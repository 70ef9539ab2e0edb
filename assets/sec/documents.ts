/**
 * What the two weekly SEC jobs share about the documents they read.
 *
 * - How many: a step reads perStep(DOCUMENTS_PER_STEP) documents, grown when a week would
 *   need more than MAX_DOCUMENT_STEPS steps; a run reads at most
 *   perStep(MAX_DOCUMENTS_PER_RUN), which keeps its listing step's output (the keys of the
 *   documents due) near 1 MB. Above the cap a run says it left a backlog
 *   (`MaterializeResult.more`) and the executors run it again.
 * - fintra_sec_documents_read (migration 0028): documents a job read that gave a ticker no
 *   row (fintra_sec_event_signals: an 8-K without a listed item). Without it those were
 *   fetched again every run while they stayed in the listing window, and a capped run's
 *   backlog could fill with them and stop shrinking. Bookkeeping, not a published table;
 *   keyed by asset, ticker and link. A document that failed to fetch is not recorded, so a
 *   rerun tries it again.
 * - Which: `planFilings` lists a form's filings of the window, keeps the universe's and drops
 *   the links already settled (a row, or recorded as giving none, for every ticker filed).
 */
import { defineTable, type Store, type TableSpec, type Where } from "../../db/index.ts";
import { perStep, perStepWithin } from "../../runtime/chunks.ts";
import type { AssetContext } from "../../runtime/define.ts";
import type { Resources } from "../../runtime/resources.ts";
import {
  chunk,
  documentPlan,
  type FilingRef,
  type FilingWindow,
  listSecFilings,
  selectFilings,
} from "../../sources/sec/index.ts";
import { universeTickers } from "../fintra_universe.ts";

/** Documents per step at the full market's scale; `Resources.stepScale` shrinks it. */
const DOCUMENTS_PER_STEP = 50;
/** Document steps a run takes at most: with its listing step, under our 200 a run. */
const MAX_DOCUMENT_STEPS = 150;
/** Documents a run reads at most, at the full market's scale (a week holds a few thousand). */
export const MAX_DOCUMENTS_PER_RUN = 6_000;
/** Documents fetched at once within a step (the SEC client paces them). */
export const CONCURRENT_DOCUMENTS = 5;

/** Documents one run reads at most. */
function documentCap(resources: Pick<Resources, "stepScale">): number {
  return perStep(resources, MAX_DOCUMENTS_PER_RUN);
}

/** The run's documents cut into step-sized batches. */
export function documentBatches<T>(resources: Pick<Resources, "stepScale">, due: readonly T[]) {
  const perBatch = perStepWithin(resources, due.length, DOCUMENTS_PER_STEP, MAX_DOCUMENT_STEPS);
  return { perBatch, batches: chunk(due, perBatch) };
}

interface SecDocumentReadRow {
  asset: string;
  ticker: string;
  link: string;
  /** Why the document gave no row, e.g. "no_listed_item". */
  outcome: string;
  /** The run's `updated_at` stamp. */
  read_at: string;
}

export const secDocumentsReadTable = defineTable<SecDocumentReadRow>({
  name: "fintra_sec_documents_read",
  key: ["asset", "ticker", "link"],
  columns: {
    asset: "text",
    ticker: "text",
    link: "text",
    outcome: "text",
    read_at: "timestamptz",
  },
});

/** Links per read of the stored ones (each is a bind parameter of one statement). */
const LINKS_PER_READ = 1_000;

/** `ticker|link` of each of the refs' (ticker, document) pairs `table` holds (within `where`). */
export async function storedPairs<Row extends { ticker: string; link: string }>(
  db: Store,
  table: TableSpec<Row>,
  refs: readonly FilingRef[],
  where: Where<Row> = {},
): Promise<Set<string>> {
  const pairs = new Set<string>();
  for (const part of chunk(refs, LINKS_PER_READ)) {
    const rows = await db.readAll(table, {
      where: {
        ...where,
        ticker: { in: [...new Set(part.flatMap((r) => r.tickers))] },
        link: { in: part.map((r) => r.url) },
      } as Where<Row>,
      columns: ["ticker", "link"],
    });
    for (const row of rows) pairs.add(`${row.ticker}|${row.link}`);
  }
  return pairs;
}

/** The links of `refs` settled for every ticker they are filed for (`pairs`: `ticker|link`). */
export function settledLinks(refs: readonly FilingRef[], pairs: ReadonlySet<string>): Set<string> {
  return new Set(
    refs.filter((r) => r.tickers.every((t) => pairs.has(`${t}|${r.url}`))).map((r) => r.url),
  );
}

/** `ticker|link` of each of the refs' (ticker, document) pairs the asset already read. */
export function readWithoutRow(
  db: Store,
  asset: string,
  refs: readonly FilingRef[],
): Promise<Set<string>> {
  return storedPairs(db, secDocumentsReadTable, refs, { asset });
}

/** Records (ticker, document) pairs that gave no row, and why. */
export async function recordReadWithoutRow(
  db: Store,
  asset: string,
  entries: readonly { ticker: string; link: string; outcome: string }[],
  readAt: string,
): Promise<number> {
  return db.upsert(
    secDocumentsReadTable,
    entries.map((e) => ({ asset, ...e, read_at: readAt })),
  );
}

/** A run's filings: the listing's figures and the documents due (`documentPlan`). */
export type FilingPlan = ReturnType<typeof documentPlan>;

/** How a job picks its filings: the form, its settled links, and the order to read them in. */
interface FilingChoice {
  formType: string;
  settled: (ctx: Pick<AssetContext, "db">, refs: readonly FilingRef[]) => Promise<Set<string>>;
  order?: (due: FilingRef[]) => FilingRef[];
}

/** The window's filings to read: listed, narrowed to the universe, minus settled links (capped). */
export async function planFilings(
  ctx: Pick<AssetContext, "db" | "fmp" | "scope" | "now" | "stepScale">,
  window: FilingWindow,
  choice: FilingChoice,
): Promise<FilingPlan> {
  const covered = new Set(await universeTickers(ctx, { equitiesOnly: true }));
  const listing = await listSecFilings(ctx.fmp(), { formType: choice.formType, window });
  const selection = selectFilings(listing.rows, choice.formType, covered);
  const stored = await choice.settled(ctx, selection.refs);
  const unread = selection.refs.filter((r) => !stored.has(r.url));
  const due = choice.order ? choice.order(unread) : unread;
  return documentPlan(listing, selection, stored.size, due, {
    cap: documentCap(ctx),
    // Stamped once, inside a step, so every batch and a replay under Inngest agree.
    updatedAt: ctx.now().toISOString(),
  });
}
