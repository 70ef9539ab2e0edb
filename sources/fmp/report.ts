/**
 * FetchReport: what one fetch did, small enough for a materialization's metadata. It
 * names the endpoint and its parameters (never the API key), counts rows delivered and
 * rows skipped, keeps a few skipped rows as samples, and says how many requests, bytes and
 * milliseconds it took.
 */
import type { Query } from "./endpoint.ts";

export const MAX_SAMPLES = 5;
const MAX_UNREAD_COLUMNS = 10;

export interface RowSample {
  /** Data row number in the body, 1 = the first row after the header. */
  row: number;
  /** For part-paged endpoints: the part the row came from. */
  part?: number;
  /** The row's symbol, when it had one. */
  symbol?: string;
  /** Why it was skipped, one line. */
  reason: string;
}

export interface FetchReport {
  endpoint: string;
  params: Query;
  /** Valid rows delivered to the caller. */
  rows: number;
  /** Rows that failed validation and were skipped. */
  skipped: number;
  /** Up to MAX_SAMPLES skipped rows, the first ones met. */
  samples: RowSample[];
  /** Per column: values FMP wrote as Infinity/NaN, delivered as null. */
  nonFinite: Record<string, number>;
  /**
   * Optional columns the header lacked, so every row has them null (a renamed or dropped
   * column at FMP); a warning is logged too. Empty when the header had them all.
   */
  missingColumns: string[];
  /**
   * When `missingColumns` is not empty: header columns nothing reads (up to
   * MAX_UNREAD_COLUMNS), where a renamed column shows up under its new name.
   */
  unreadColumns: string[];
  /** HTTP requests made, retries included. */
  requests: number;
  /** Failed attempts that were retried (429, 5xx, timeouts, cut bodies). */
  retries: number;
  /**
   * Parts read that had rows, for part-paged endpoints (profile-bulk). For a one-part read
   * (`CsvOptions.part`): 1, or 0 when that part does not exist (an empty body, a 404, or a
   * repeat of part 0), which is how a caller stepping through parts knows it is past the end.
   */
  parts?: number;
  /**
   * One-part reads only: a short hash of the part's first data row, to pass as
   * `CsvOptions.part0Fingerprint` when reading later parts (set when the part had rows).
   */
  fingerprint?: string;
  /** One-part reads only: the part repeated part 0 (FMP ignored `part=`), so it counts as absent. */
  repeatsPart0?: boolean;
  /** Response body bytes received, retries included. */
  bytes: number;
  ms: number;
  /** True once every row has been delivered. */
  complete: boolean;
}

export function newReport(endpoint: string, params: Query): FetchReport {
  return {
    endpoint,
    params,
    rows: 0,
    skipped: 0,
    samples: [],
    nonFinite: {},
    missingColumns: [],
    unreadColumns: [],
    requests: 0,
    retries: 0,
    bytes: 0,
    ms: 0,
    complete: false,
  };
}

export function recordSkipped(report: FetchReport, sample: RowSample): void {
  report.skipped++;
  if (report.samples.length < MAX_SAMPLES) report.samples.push(sample);
}

/**
 * Adds a header's missing optional columns to the report; true when any is new to it (a
 * paged file repeats its header in every part, and that is one finding, not many).
 */
export function recordMissingColumns(
  report: FetchReport,
  missing: readonly string[],
  unread: readonly string[],
): boolean {
  const fresh = missing.filter((column) => !report.missingColumns.includes(column));
  if (fresh.length === 0) return false;
  report.missingColumns.push(...fresh);
  for (const column of unread) {
    if (report.unreadColumns.length >= MAX_UNREAD_COLUMNS) break;
    if (!report.unreadColumns.includes(column)) report.unreadColumns.push(column);
  }
  return true;
}

/** "2,431 rows, 0 skipped, 0.2 MB in 0.1 s" for a log line. */
export function summarize(report: FetchReport): string {
  const mb = (report.bytes / 1e6).toFixed(1);
  const seconds = (report.ms / 1000).toFixed(1);
  const retried = report.retries > 0 ? `, ${report.retries} retried` : "";
  return `${report.rows} rows, ${report.skipped} skipped, ${mb} MB in ${seconds} s${retried}`;
}
