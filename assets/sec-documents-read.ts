/**
 * fintra_sec_documents_read (migration 0028): documents a weekly SEC job read that gave a
 * ticker no row (fintra_sec_event_signals: an 8-K without a listed item). Without it those
 * documents were fetched again every run while they stayed in the listing window, and a
 * capped run's backlog (`MaterializeResult.more`) could fill with them and stop shrinking.
 * Bookkeeping, not a published table; keyed by asset, ticker and link. A document that
 * failed to fetch is not recorded, so a rerun tries it again.
 */
import { defineTable, type Store } from "../db/index.ts";
import { chunk, type FilingRef } from "../sources/sec/index.ts";

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
