/**
 * Filings to read: FMP's `sec-filings-search/form-type` listing for a window of days, paged
 * and narrowed to the documents a run needs. The listing goes through the FMP client (its
 * key, rate limit and retries); the documents it links to go through the SEC document
 * client.
 */
import { addDays, format, parseISO, subDays } from "date-fns";
import { type FmpClient, type SecFilingRow, secFilingsByFormType } from "../fmp/index.ts";

/** FMP's largest page; fewer rows than this means the last page. */
export const LISTING_PAGE_SIZE = 1000;
/** FMP serves pages 0..100 of a query; past that a window is too wide to list. */
const LISTING_MAX_PAGES = 101;

export interface FilingWindow {
  from: string;
  to: string;
}

/**
 * The filing dates a weekly run lists: `days` before the run's day through the run's day,
 * both included. Eight calendar days for a week, so the previous run's own day is listed
 * again: filings made after that run are still picked up (already stored ones are skipped).
 */
export function filingWindow(runDate: string, days = 7): FilingWindow {
  return { from: format(subDays(parseISO(runDate), days), "yyyy-MM-dd"), to: runDate };
}

interface FilingListing {
  rows: SecFilingRow[];
  pages: number;
  requests: number;
  retries: number;
  /** Rows FMP sent that failed validation. */
  invalid: number;
  /** Why paging ended: a short page, a page repeating the one before, or the page cap. */
  stoppedBy: "short-page" | "repeat" | "max-pages";
}

/** Every filing of `formType` with a filing date in the window, newest first as FMP sends them. */
export async function listSecFilings(
  fmp: FmpClient,
  query: { formType: string; window: FilingWindow; pageSize?: number; maxPages?: number },
): Promise<FilingListing> {
  const limit = query.pageSize ?? LISTING_PAGE_SIZE;
  const maxPages = Math.min(query.maxPages ?? LISTING_MAX_PAGES, LISTING_MAX_PAGES);
  const listing: FilingListing = {
    rows: [],
    pages: 0,
    requests: 0,
    retries: 0,
    invalid: 0,
    stoppedBy: "max-pages",
  };
  let previous: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const { rows, report } = await fmp.json(secFilingsByFormType, {
      formType: query.formType,
      from: query.window.from,
      to: query.window.to,
      page,
      limit,
    });
    listing.requests += report.requests;
    listing.retries += report.retries;
    listing.invalid += report.skipped;
    // A server that ignores `page` answers every page with the first one: stop, once.
    const signature = rows.map((r) => `${r.symbol}|${r.link ?? r.finalLink}`).join("\n");
    if (rows.length > 0 && signature === previous) {
      listing.stoppedBy = "repeat";
      break;
    }
    previous = signature;
    listing.pages++;
    listing.rows.push(...rows);
    if (rows.length + report.skipped < limit) {
      listing.stoppedBy = "short-page";
      break;
    }
  }
  return listing;
}

/** One document to fetch and the tickers it is filed for (share classes share a filing). */
export interface FilingRef {
  /** The document read and stored as the signal's `link`: FMP's finalLink, else its link. */
  url: string;
  tickers: string[];
  /** FMP's filingDate and acceptedDate, as written (EDGAR's clock, New York time). */
  filingDate: string;
  acceptedDate: string | null;
}

interface FilingSelection {
  refs: FilingRef[];
  /** Rows of another form type (amendments such as 10-K/A when FMP includes them). */
  otherForms: number;
  /** Rows of tickers the run does not cover (not an active equity, or out of scope). */
  outsideUniverse: number;
  /** Rows without any link. */
  withoutLink: number;
}

/**
 * What a weekly SEC job's listing step returns: the listing's counts and the documents still
 * to read (not yet stored), at most `cap` of them; `backlog` counts the rest.
 */
export function documentPlan(
  listing: FilingListing,
  selection: FilingSelection,
  stored: number,
  due: readonly FilingRef[],
  options: { cap: number; updatedAt: string },
) {
  return {
    updatedAt: options.updatedAt,
    listed: listing.rows.length,
    pages: listing.pages,
    stoppedBy: listing.stoppedBy,
    listingRequests: listing.requests,
    listingRetries: listing.retries,
    invalidRows: listing.invalid,
    otherForms: selection.otherForms,
    outsideUniverse: selection.outsideUniverse,
    withoutLink: selection.withoutLink,
    alreadyStored: stored,
    backlog: Math.max(0, due.length - options.cap),
    due: due.slice(0, options.cap),
  };
}

/** The document a filing is read from: the primary document when FMP names one. */
export function documentUrl(row: Pick<SecFilingRow, "link" | "finalLink">): string | null {
  return row.finalLink ?? row.link;
}

/**
 * The listing narrowed to the run: rows of exactly `formType` (an amendment restates part of
 * a filing and must not overwrite what the original said), of covered tickers, grouped by
 * document so a filing shared by share classes is fetched once.
 */
export function selectFilings(
  rows: readonly SecFilingRow[],
  formType: string,
  covered: ReadonlySet<string>,
): FilingSelection {
  const byUrl = new Map<string, FilingRef>();
  const selection: FilingSelection = {
    refs: [],
    otherForms: 0,
    outsideUniverse: 0,
    withoutLink: 0,
  };
  for (const row of rows) {
    if (row.formType.trim().toUpperCase() !== formType.toUpperCase()) {
      selection.otherForms++;
      continue;
    }
    const ticker = row.symbol.trim().toUpperCase();
    if (!covered.has(ticker)) {
      selection.outsideUniverse++;
      continue;
    }
    const url = documentUrl(row);
    if (!url) {
      selection.withoutLink++;
      continue;
    }
    const ref = byUrl.get(url);
    if (ref) {
      if (!ref.tickers.includes(ticker)) ref.tickers.push(ticker);
      continue;
    }
    byUrl.set(url, {
      url,
      tickers: [ticker],
      filingDate: row.filingDate,
      acceptedDate: row.acceptedDate,
    });
  }
  selection.refs = [...byUrl.values()];
  return selection;
}

/** Splits `items` into runs of `size` (the documents one durable step fetches). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    out.push(items.slice(start, start + size));
  return out;
}

const offsetFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  timeZoneName: "longOffset",
});

/** New York's UTC offset ("-05:00" or "-04:00") at an instant. */
function newYorkOffset(instant: Date): string {
  const name = offsetFormat.formatToParts(instant).find((p) => p.type === "timeZoneName")?.value;
  const offset = name?.replace("GMT", "") ?? "";
  return offset === "" ? "+00:00" : offset;
}

/**
 * An EDGAR timestamp ("2026-03-02 16:05:12", or a bare date) as an ISO instant. EDGAR's
 * clock is New York time, so a filing accepted at 16:05 is 21:05Z in winter, 20:05Z in
 * summer; a bare date is that day's New York midnight.
 */
export function edgarInstant(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?/.exec(text.trim());
  if (!match) throw new RangeError(`not an EDGAR timestamp: ${JSON.stringify(text.slice(0, 40))}`);
  const clock = match[2] ?? "00:00:00";
  const local = `${match[1]}T${clock.length === 5 ? `${clock}:00` : clock}`;
  // The offset at the local time read as UTC is right except within hours of a DST switch;
  // the offset at the corrected instant settles it.
  const guess = new Date(`${local}Z`);
  const first = newYorkOffset(guess);
  const settled = newYorkOffset(new Date(`${local}${first}`));
  return new Date(`${local}${settled}`).toISOString();
}

/** The first instant after New York's `day` (its next midnight), for "dated after the day" tests. */
export function endOfEdgarDay(day: string): string {
  return edgarInstant(format(addDays(parseISO(day), 1), "yyyy-MM-dd"));
}
