/**
 * Reading FMP's statements into a StatementBook, for both statement assets: the bulk
 * files of a fiscal period, or a `tickers` scope's per-symbol answers kept to the years
 * the bulk files would hold. A malformed row is counted and sampled, never fatal: the
 * assets' `skippedRowsWithin` check decides whether a run's share of them is too many.
 */
import pLimit from "p-limit";
import type { Progress } from "../../runtime/define.ts";
import {
  balanceSheetStatementBulk,
  cashFlowStatementBulk,
  type FetchReport,
  type FmpClient,
  incomeStatementBulk,
  type Period,
  type RowSample,
  STATEMENTS_BY_SYMBOL,
  type StatementSpan,
  statementLimit,
} from "../../sources/fmp/index.ts";
import { bySymbol } from "../fintra_universe.ts";
import type { StatementBook, StatementKind } from "./statements.ts";

interface StatementFile {
  kind: StatementKind;
  year: number;
  period: Period;
}

/** Every (statement, fiscal year, period) file of a window. */
export function statementFiles(
  kinds: readonly StatementKind[],
  years: readonly number[],
  periods: readonly Period[],
): StatementFile[] {
  return years.flatMap((year) =>
    periods.flatMap((period) => kinds.map((kind) => ({ kind, year, period }))),
  );
}

export interface FetchTotals {
  files: number;
  rows: number;
  skipped: number;
  samples: (RowSample & { file: string })[];
  requests: number;
  retries: number;
  /** Optional columns a file's header lacked (renamed or dropped by FMP), "endpoint: column". */
  missingColumns: string[];
}

const FETCH_BATCH = 5_000;
const FILES_AT_ONCE = 3;
const MAX_SAMPLES = 5;

/** Fetch totals before any file is read. */
export function noFetches(): FetchTotals {
  return {
    files: 0,
    rows: 0,
    skipped: 0,
    samples: [],
    requests: 0,
    retries: 0,
    missingColumns: [],
  };
}

/** A run's fetch totals as its metadata reports them. */
export function fetchMetadata(fetched: FetchTotals) {
  return {
    statements: fetched.rows,
    skipped: fetched.skipped,
    skippedSamples: fetched.samples,
    files: fetched.files,
    requests: fetched.requests,
    retries: fetched.retries,
    ...(fetched.missingColumns.length ? { missingColumns: fetched.missingColumns } : {}),
  };
}

/** Adds one step's fetch totals to the run's (samples capped). */
export function addFetchTotals(into: FetchTotals, add: FetchTotals): void {
  into.files += add.files;
  into.rows += add.rows;
  into.skipped += add.skipped;
  into.requests += add.requests;
  into.retries += add.retries;
  for (const s of add.samples) if (into.samples.length < MAX_SAMPLES) into.samples.push(s);
  for (const c of add.missingColumns ?? []) {
    if (!into.missingColumns.includes(c)) into.missingColumns.push(c);
  }
}

/** Adds one file's (or one per-symbol answer's) report to the run's totals, its samples named `name`. */
function addFileReport(totals: FetchTotals, report: FetchReport, name: string): void {
  totals.files++;
  totals.rows += report.rows;
  totals.skipped += report.skipped;
  totals.requests += report.requests;
  totals.retries += report.retries;
  for (const column of report.missingColumns) {
    const named = `${report.endpoint}: ${column}`;
    if (!totals.missingColumns.includes(named)) totals.missingColumns.push(named);
  }
  for (const s of report.samples) {
    if (totals.samples.length < MAX_SAMPLES) totals.samples.push({ file: name, ...s });
  }
}

/** Streams the files into the book (a few at a time); bad rows are counted, never fatal. */
export async function fetchStatements(
  fmp: FmpClient,
  book: StatementBook,
  files: readonly StatementFile[],
  progress?: Progress,
): Promise<FetchTotals> {
  const totals = noFetches();
  progress?.total(files.length);
  const limit = pLimit(FILES_AT_ONCE);
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        const report = await readFile(fmp, book, file);
        addFileReport(totals, report, `${report.endpoint} ${file.year} ${file.period}`);
        progress?.advance(1);
      }),
    ),
  );
  return totals;
}

async function readFile(fmp: FmpClient, book: StatementBook, file: StatementFile) {
  const params = { year: file.year, period: file.period };
  const options = { batchSize: FETCH_BATCH };
  if (file.kind === "income") {
    const stream = fmp.csv(incomeStatementBulk, params, options);
    for await (const batch of stream) book.addIncome(batch);
    return stream.report;
  }
  if (file.kind === "balance") {
    const stream = fmp.csv(balanceSheetStatementBulk, params, options);
    for await (const batch of stream) book.addBalance(batch);
    return stream.report;
  }
  const stream = fmp.csv(cashFlowStatementBulk, params, options);
  for await (const batch of stream) book.addCashFlow(batch);
  return stream.report;
}

/** What a scoped run reads of one company per statement: FY rows, and Q1..Q4 rows. */
const SPAN_PERIODS: Record<StatementSpan, readonly Period[]> = {
  annual: ["FY"],
  quarter: ["Q1", "Q2", "Q3", "Q4"],
};

/**
 * A `tickers` scope's statements from FMP's per-symbol endpoints: for each ticker, statement
 * kind and span (annual: FY rows; quarter: Q1..Q4), the newest periods back past the widest
 * window (`statementLimit`), kept to the fiscal years `years` like the bulk files of those
 * years would hold them. One answer counts as one file in the totals.
 */
export async function fetchSymbolStatements(
  fmp: FmpClient,
  book: StatementBook,
  tickers: readonly string[],
  wanted: {
    kinds: readonly StatementKind[];
    spans: readonly StatementSpan[];
    years: readonly number[];
  },
  day: string,
  today: string,
): Promise<FetchTotals> {
  const totals = noFetches();
  const years = new Set(wanted.years);
  const inWindow = (span: StatementSpan) => (row: { fiscalYear: number; period: Period }) =>
    years.has(row.fiscalYear) && SPAN_PERIODS[span].includes(row.period);
  const requests = tickers.flatMap((symbol) =>
    wanted.kinds.flatMap((kind) => wanted.spans.map((span) => ({ symbol, kind, span }))),
  );
  const answers = await bySymbol(requests, async ({ symbol, kind, span }) => {
    const params = { symbol, period: span, limit: statementLimit(span, day, today) };
    if (kind === "income") {
      const { rows, report } = await fmp.json(STATEMENTS_BY_SYMBOL.income, params);
      book.addIncome(rows.filter(inWindow(span)));
      return report;
    }
    if (kind === "balance") {
      const { rows, report } = await fmp.json(STATEMENTS_BY_SYMBOL.balance, params);
      book.addBalance(rows.filter(inWindow(span)));
      return report;
    }
    const { rows, report } = await fmp.json(STATEMENTS_BY_SYMBOL.cashFlow, params);
    book.addCashFlow(rows.filter(inWindow(span)));
    return report;
  });
  answers.forEach((report, i) => {
    const request = requests[i] as (typeof requests)[number];
    addFileReport(totals, report, `${report.endpoint} ${request.symbol} ${request.span}`);
  });
  return totals;
}
