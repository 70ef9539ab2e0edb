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
 */
import { defineTable, type Store } from "../db/index.ts";
import { chunk, type FilingRef } from "../sources/sec/index.ts";
import { perStep, perStepWithin } from "./chunks.ts";
import type { Resources } from "./resources.ts";

/** Documents per step at the full market's scale; `Resources.stepScale` shrinks it. */
export const DOCUMENTS_PER_STEP = 50;
/** Document steps a run takes at most: with its listing step, under our 200 a run. */
export const MAX_DOCUMENT_STEPS = 150;
/** Documents a run reads at most, at the full market's scale (a week holds a few thousand). */
export const MAX_DOCUMENTS_PER_RUN = 6_000;
/** Documents fetched at once within a step (the SEC client paces them). */
export const CONCURRENT_DOCUMENTS = 5;

/** Documents one run reads at most. */
export function documentCap(resources: Pick<Resources, "stepScale">): number {
  return perStep(resources, MAX_DOCUMENTS_PER_RUN);
}

/** The run's documents cut into step-sized batches. */
export function documentBatches<T>(resources: Pick<Resources, "stepScale">, due: readonly T[]) {
  const perBatch = perStepWithin(resources, due.length, DOCUMENTS_PER_STEP, MAX_DOCUMENT_STEPS);
  return { perBatch, batches: chunk(due, perBatch) };
}

export interface SecDocumentReadRow {
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

const LINKS_PER_READ = 1_000;

/** `ticker|link` of each of the refs' (ticker, document) pairs the asset already read. */
export async function readWithoutRow(
  db: Store,
  asset: string,
  refs: readonly FilingRef[],
): Promise<Set<string>> {
  const read = new Set<string>();
  for (const part of chunk(refs, LINKS_PER_READ)) {
    const rows = await db.readAll(secDocumentsReadTable, {
      where: {
        asset,
        ticker: { in: [...new Set(part.flatMap((r) => r.tickers))] },
        link: { in: part.map((r) => r.url) },
      },
      columns: ["ticker", "link"],
    });
    for (const row of rows) read.add(`${row.ticker}|${row.link}`);
  }
  return read;
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
