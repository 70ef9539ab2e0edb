/**
 * createFmpClient: the project's one door to FMP.
 *
 * A client holds the key, the base URL, the plan's per-minute request limit and the retry
 * policy. Create one per process and share it: the rate limit is counted per client.
 *
 *   const fmp = createFmpClient(fmpConfigFromEnv());
 *   const prices = fmp.csv(eodBulk, { date: "2026-01-09" }, { batchSize: 5000 });
 *   for await (const rows of prices) await store.upsertPrices(rows);
 *   ledger.metadata = prices.report; // rows, skipped, samples, requests, bytes, ms
 */

import { createRateLimiter } from "../rate-limit.ts";
import { checkBaseUrl, DEFAULT_BASE_URL, DEFAULT_RATE_PER_MIN } from "./config.ts";
import { CsvFetch, type CsvStream, describeRequest } from "./csv-fetch.ts";
import type { CsvEndpoint, JsonEndpoint, Query } from "./endpoint.ts";
import { FmpError, registerSecret } from "./errors.ts";
import type { Transport } from "./http.ts";
import { fetchJson } from "./json-fetch.ts";
import type { FetchReport } from "./report.ts";
import type { FmpLogger, RetryPolicy } from "./retry.ts";

export interface FmpClientOptions {
  apiKey: string;
  /** Default https://financialmodelingprep.com/stable (the sandbox: its own loopback URL). */
  baseUrl?: string;
  /** Requests per minute the plan allows (FMP_RATE_PER_MIN), retries included. Default 300. */
  ratePerMinute?: number;
  /** Injectable for tests; default the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Longest wait for response headers, and between two body chunks. Default 60 s. */
  timeoutMs?: number;
  /** Retries after a failed attempt (429, 5xx, timeout, broken body). Default 6. */
  retries?: number;
  /** Exponential backoff between attempts, with jitter. Default 1 s doubling up to 30 s. */
  backoff?: { minMs?: number; maxMs?: number };
  /** Cap on a server's Retry-After. Default 120 s. */
  maxRetryAfterMs?: number;
  /** Safety stop for part-paged endpoints. Default 100 parts. */
  maxParts?: number;
  /** Where retries and fetch summaries go; default silent. */
  logger?: FmpLogger;
}

interface CsvOptions {
  /** Rows per batch handed to the consumer. Default 1000. */
  batchSize?: number;
  signal?: AbortSignal;
  /**
   * Part-paged endpoints only (profile-bulk): read just this part (0, 1, ...) instead of
   * every part, so a caller can give each part its own durable step. One request (plus
   * retries, which resume a cut body as usual). Past the last part (an empty body, or a 404
   * for a part above 0) the stream yields no rows and `report.parts` is 0; otherwise it is
   * 1. An empty part 0 is still an error where the endpoint requires rows.
   */
  part?: number;
  /**
   * With `part` above 0: `report.fingerprint` of the part 0 read. A part whose first row
   * is part 0's first row means FMP ignored `part=`: it yields nothing, `report.parts` is 0
   * and `report.repeatsPart0` is true (the whole-endpoint read stops the same way).
   */
  part0Fingerprint?: string;
}

export interface FmpClient {
  readonly baseUrl: string;
  readonly ratePerMinute: number;
  /** Streams a CSV endpoint as batches of validated rows; see CsvStream.report. */
  csv<Row, Params>(
    endpoint: CsvEndpoint<Row, Params>,
    params: Params,
    options?: CsvOptions,
  ): CsvStream<Row>;
  /** Fetches a JSON endpoint: its validated rows and the fetch report. */
  json<Row, Params>(
    endpoint: JsonEndpoint<Row, Params>,
    params: Params,
    options?: { signal?: AbortSignal },
  ): Promise<{ rows: Row[]; report: FetchReport }>;
}

const silent: FmpLogger = { info: () => {}, warn: () => {} };

export function createFmpClient(options: FmpClientOptions): FmpClient {
  const apiKey = options.apiKey?.trim() ?? "";
  if (apiKey === "") {
    throw new FmpError({ kind: "config", endpoint: "config", what: "no API key given" });
  }
  registerSecret(apiKey);
  const baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const ratePerMinute = options.ratePerMinute ?? DEFAULT_RATE_PER_MIN;
  const limiter = createRateLimiter(ratePerMinute);
  const logger = options.logger ?? silent;
  const transport: Transport = {
    apiKey,
    baseUrl,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: positive(options.timeoutMs, 60_000, "timeoutMs"),
    maxRetryAfterMs: positive(options.maxRetryAfterMs, 120_000, "maxRetryAfterMs"),
    limiter,
  };
  const policy: RetryPolicy = {
    retries: options.retries ?? 6,
    minBackoffMs: options.backoff?.minMs ?? 1_000,
    maxBackoffMs: options.backoff?.maxMs ?? 30_000,
    limiter,
    logger,
  };
  const maxParts = positive(options.maxParts, 100, "maxParts");

  return {
    baseUrl,
    ratePerMinute,
    csv(endpoint, params, csvOptions = {}) {
      return new CsvFetch({
        endpoint: endpoint as CsvEndpoint<never, unknown>,
        query: validateParams(endpoint, params),
        batchSize: positive(csvOptions.batchSize, 1_000, "batchSize"),
        maxParts,
        part: validatePart(endpoint, csvOptions.part),
        part0Fingerprint: csvOptions.part0Fingerprint,
        transport,
        policy,
        signal: csvOptions.signal,
      });
    },
    async json(endpoint, params, jsonOptions = {}) {
      const query = validateParams(endpoint, params);
      return fetchJson({
        endpoint: endpoint as JsonEndpoint<never, unknown>,
        query,
        transport,
        policy,
        signal: jsonOptions.signal,
      });
    },
  };
}

/** Parameters are checked before any request, so a typo is a clear error, not a 400. */
function validateParams<Params>(
  endpoint: CsvEndpoint<unknown, Params> | JsonEndpoint<unknown, Params>,
  params: Params,
): Query {
  const result = endpoint.params.safeParse(params ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join(".") || "params"}: ${issue.message}`)
    .join("; ");
  throw new FmpError({
    kind: "params",
    endpoint: describeRequest(endpoint.name, {}),
    what: `bad parameters, ${problems}`,
  });
}

/** `CsvOptions.part`: a part number, and only for an endpoint that comes in parts. */
function validatePart(
  endpoint: Pick<CsvEndpoint<unknown, unknown>, "name" | "paging">,
  part: number | undefined,
): number | undefined {
  if (part === undefined) return undefined;
  const problem =
    endpoint.paging !== "part"
      ? "the endpoint is not read in parts"
      : !Number.isSafeInteger(part) || part < 0
        ? `not a part number: ${part}`
        : null;
  if (problem === null) return part;
  throw new FmpError({
    kind: "params",
    endpoint: describeRequest(endpoint.name, {}),
    what: `bad parameters, part: ${problem}`,
  });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new FmpError({
      kind: "config",
      endpoint: "config",
      what: `${name} must be a positive number, got ${value}`,
    });
  }
  return value;
}
