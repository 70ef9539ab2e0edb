/**
 * One JSON fetch: FMP's JSON endpoints answer with an array of objects, small enough to
 * read whole (a page of SEC filings). Each element is validated; a bad one is skipped and
 * sampled like a bad CSV row.
 */
import { describeRequest } from "./csv-fetch.ts";
import type { JsonEndpoint, Query } from "./endpoint.ts";
import { FmpError } from "./errors.ts";
import { describeBody, fmpJsonMessage, looksLikeHtml } from "./failures.ts";
import { openRequest, type Transport } from "./http.ts";
import { type FetchReport, newReport, type RowSample, recordSkipped, summarize } from "./report.ts";
import { type RetryPolicy, withRetries } from "./retry.ts";

export interface JsonFetchSetup<Row> {
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

  const attempt = async (): Promise<{ rows: Row[]; skipped: RowSample[] }> => {
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

  const { rows, skipped } = await withRetries(policy, signal, attempt, () => {
    report.retries++;
  });
  report.rows = rows.length;
  for (const sample of skipped) recordSkipped(report, sample);
  report.ms = Math.round(performance.now() - started);
  report.complete = true;
  policy.logger.info(`FMP ${label}: ${summarize(report)}`);
  return { rows, report };
}
