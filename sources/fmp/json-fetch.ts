/**
 * One JSON fetch: FMP's JSON endpoints answer with an array of objects, small enough to
 * read whole (a page of SEC filings, one company's statements). Each element is validated;
 * a bad one is skipped and sampled like a bad CSV row.
 *
 * Per-symbol endpoints (`JsonFieldsEndpoint`: profile, statements, TTM ratios, prices, ...)
 * return the same rows as their bulk CSVs and are read with the bulk's row schema: each
 * JSON object becomes the record of cells a CSV row would be (`jsonCells`, the one place
 * JSON values are converted), so a per-symbol row and a bulk row of the same figures are
 * identical, and absent fields, non-finite values and bad values are reported the same way.
 */
import { tallyingNonFinite } from "./cells.ts";
import { describeRequest } from "./csv-fetch.ts";
import type { CsvColumn, JsonEndpoint, Query } from "./endpoint.ts";
import { FmpError, oneLine, redact } from "./errors.ts";
import { describeBody, fmpJsonMessage, looksLikeHtml } from "./failures.ts";
import { openRequest, type Transport } from "./http.ts";
import {
  type FetchReport,
  newReport,
  type RowSample,
  recordMissingColumns,
  recordSkipped,
  summarize,
} from "./report.ts";
import { type RetryPolicy, withRetries } from "./retry.ts";

/**
 * A JSON endpoint whose objects carry a bulk CSV's columns under the same names: `schema`
 * is that CSV's row schema (cells in, typed row out) and `fields` its columns.
 */
export interface JsonFieldsEndpoint<Row, Params> extends JsonEndpoint<Row, Params> {
  readonly fields: readonly CsvColumn[];
}

function hasFields<Row>(
  endpoint: JsonEndpoint<Row, unknown>,
): endpoint is JsonFieldsEndpoint<Row, unknown> {
  return Array.isArray((endpoint as Partial<JsonFieldsEndpoint<Row, unknown>>).fields);
}

/**
 * One JSON value as the CSV cell FMP's bulk file would hold: numbers in JavaScript's
 * shortest round-trip form (the form FMP's CSVs use), booleans as true/false, null as an
 * empty cell, a list as a comma-separated cell. An object is kept as its JSON text, which
 * no cell kind accepts, so the row is skipped and sampled rather than guessed at.
 */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(cellOf).join(",");
  return JSON.stringify(value);
}

/**
 * A JSON object as the record of cells the bulk CSV's schema reads: each column from its
 * field, or the first alias present (legacy names, as in a CSV header); undefined when the
 * object has none of them (an absent column, read as null like a column missing from a
 * header).
 */
function jsonCells(
  fields: readonly CsvColumn[],
  element: Readonly<Record<string, unknown>>,
): Record<string, string | undefined> {
  const cells: Record<string, string | undefined> = {};
  for (const column of fields) {
    let cell: string | undefined;
    for (const name of [column.name, ...column.aliases]) {
      if (Object.hasOwn(element, name)) {
        cell = cellOf(element[name]);
        break;
      }
    }
    cells[column.name] = cell;
  }
  return cells;
}

/** Columns no object of the answer carries under any name, and the keys no column reads. */
function absentFields(
  fields: readonly CsvColumn[],
  elements: readonly Readonly<Record<string, unknown>>[],
): { required: string[]; optional: string[]; unread: string[] } {
  const keys = new Set<string>();
  for (const element of elements) for (const key of Object.keys(element)) keys.add(key);
  const read = new Set<string>();
  const required: string[] = [];
  const optional: string[] = [];
  for (const column of fields) {
    const names = [column.name, ...column.aliases].filter((name) => keys.has(name));
    for (const name of names) read.add(name);
    if (names.length > 0) continue;
    if (column.required) required.push(column.name);
    else if (!column.legacy) optional.push(column.name);
  }
  return { required, optional, unread: [...keys].filter((key) => !read.has(key)) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface JsonFetchSetup<Row> {
  endpoint: JsonEndpoint<Row, unknown>;
  query: Query;
  transport: Transport;
  policy: RetryPolicy;
  signal: AbortSignal | undefined;
}

export async function fetchJson<Row>(
  setup: JsonFetchSetup<Row>,
): Promise<{ rows: Row[]; report: FetchReport }> {
  const { endpoint, query, transport, policy } = setup;
  const label = describeRequest(endpoint.name, query);
  const report = newReport(endpoint.name, query);
  const started = performance.now();
  const signal = setup.signal ?? new AbortController().signal;

  const attempt = async (): Promise<Validated<Row>> => {
    report.requests++;
    const response = await openRequest(
      transport,
      {
        path: endpoint.name,
        format: "json",
        query,
        label,
        plan: endpoint.plan,
        apiKey: transport.apiKey,
      },
      signal,
    );
    let text: string;
    try {
      text = await response.readText(Number.POSITIVE_INFINITY);
    } finally {
      report.bytes += response.bytesRead();
      response.close();
    }
    const cut = response.expectedBytes !== null && response.bytesRead() < response.expectedBytes;
    const body = text.trim();
    if (looksLikeHtml(body)) {
      throw new FmpError({
        kind: "html",
        endpoint: label,
        what: `${describeBody(body, transport.apiKey)} instead of JSON`,
        hint: `the base URL may be wrong, or ${endpoint.plan}`,
      });
    }
    let parsed: unknown;
    try {
      if (cut || body === "") throw new Error("short body");
      parsed = JSON.parse(body);
    } catch {
      // FMP always sends at least "[]": a short or unparsable body was cut on the way.
      throw new FmpError({
        kind: "truncated",
        endpoint: label,
        what: `incomplete JSON body (${response.bytesRead()} bytes)`,
        retryable: true,
      });
    }
    if (!Array.isArray(parsed)) {
      const message = fmpJsonMessage(body);
      const rateLimited = /limit reach|too many requests/i.test(message ?? "");
      throw new FmpError({
        kind: rateLimited ? "rate-limit" : "format",
        endpoint: label,
        what: `expected a JSON array, got ${describeBody(body, transport.apiKey)}`,
        hint: rateLimited ? "set FMP_RATE_PER_MIN to the plan's limit" : endpoint.plan,
        retryable: rateLimited,
      });
    }
    if (hasFields(endpoint)) return validateFields(endpoint, parsed, label);
    const rows: Row[] = [];
    const skipped: RowSample[] = [];
    parsed.forEach((element: unknown, index) => {
      const result = endpoint.schema.safeParse(element);
      if (result.success) {
        rows.push(result.data);
        return;
      }
      const symbol = (element as { symbol?: unknown } | null)?.symbol;
      skipped.push({
        row: index + 1,
        ...(typeof symbol === "string" ? { symbol: symbol.slice(0, 24) } : {}),
        reason: result.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`)
          .join("; "),
      });
    });
    return { rows, skipped };
  };

  const { rows, skipped, nonFinite, absent } = await withRetries(policy, signal, attempt, () => {
    report.retries++;
  });
  report.rows = rows.length;
  for (const sample of skipped) recordSkipped(report, sample);
  if (nonFinite) report.nonFinite = nonFinite;
  if (absent && recordMissingColumns(report, absent.optional, absent.unread)) {
    const unread = report.unreadColumns.length
      ? `; unread: ${report.unreadColumns.join(", ")}`
      : "";
    policy.logger.warn(
      oneLine(
        redact(
          `FMP ${label}: answer lacks optional field(s) ${report.missingColumns.join(", ")}, read as null${unread} (renamed or dropped by FMP?)`,
          transport.apiKey,
        ),
      ),
    );
  }
  report.ms = Math.round(performance.now() - started);
  report.complete = true;
  policy.logger.info(`FMP ${label}: ${summarize(report)}`);
  return { rows, report };
}

interface Validated<Row> {
  rows: Row[];
  skipped: RowSample[];
  /** Per-symbol endpoints: non-finite values read as null, per column (kept rows only). */
  nonFinite?: Record<string, number>;
  /** Per-symbol endpoints: the columns no object carried. */
  absent?: { optional: string[]; unread: string[] };
}

/**
 * A per-symbol answer through its bulk row schema: every object as the cells of a CSV row.
 * An answer whose objects all lack a column the bulk header must have is the per-symbol
 * twin of a bad header: an error, not a page of skipped rows.
 */
function validateFields<Row>(
  endpoint: JsonFieldsEndpoint<Row, unknown>,
  parsed: readonly unknown[],
  label: string,
): Validated<Row> {
  const rows: Row[] = [];
  const skipped: RowSample[] = [];
  const nonFinite: Record<string, number> = {};
  const objects = parsed.filter(isRecord);
  const absent = absentFields(endpoint.fields, objects);
  if (objects.length > 0 && absent.required.length > 0) {
    throw new FmpError({
      kind: "header",
      endpoint: label,
      what: `unexpected JSON fields, missing ${absent.required.slice(0, 8).join(", ")}`,
      hint: "FMP changed the answer's format, or the response is not this endpoint's JSON",
    });
  }
  parsed.forEach((element, index) => {
    if (!isRecord(element)) {
      skipped.push({ row: index + 1, reason: "row: not a JSON object" });
      return;
    }
    const cells = jsonCells(endpoint.fields, element);
    const counted: Record<string, number> = {};
    const result = tallyingNonFinite(counted, () => endpoint.schema.safeParse(cells));
    if (result.success) {
      rows.push(result.data);
      for (const column in counted) {
        nonFinite[column] = (nonFinite[column] ?? 0) + (counted[column] ?? 0);
      }
      return;
    }
    const symbol = cells.symbol;
    skipped.push({
      row: index + 1,
      ...(symbol ? { symbol: symbol.slice(0, 24) } : {}),
      reason: result.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`)
        .join("; "),
    });
  });
  return {
    rows,
    skipped,
    nonFinite,
    absent: objects.length > 0 ? absent : { optional: [], unread: [] },
  };
}
