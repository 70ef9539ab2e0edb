/**
 * One HTTP request to FMP: take a rate-limit slot, send it, wait at most `timeoutMs` for
 * the headers and then at most `timeoutMs` between body chunks, and turn a non-2xx status
 * into an FmpError. The body is handed out chunk by chunk so nothing buffers it whole.
 *
 * The timeout clock runs only while waiting on the network, never while the caller is busy
 * with the rows it already has, so a slow database cannot make FMP look slow.
 */

import type { RateLimiter } from "../rate-limit.ts";
import { parseRetryAfter } from "../rate-limit.ts";
import type { Query } from "./endpoint.ts";
import { FmpError } from "./errors.ts";
import { describeCause, type FailureContext, statusError } from "./failures.ts";

export interface Transport {
  apiKey: string;
  baseUrl: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxRetryAfterMs: number;
  limiter: RateLimiter;
}

interface Request extends FailureContext {
  /** Path under the base URL, e.g. "eod-bulk". */
  path: string;
  query: Query;
  /** What the endpoint serves, for the Accept header. */
  format: "csv" | "json";
}

export interface OpenResponse {
  status: number;
  /** Content-Length when the body is not compressed, to detect a short body. */
  expectedBytes: number | null;
  /** The next chunk, or null at the end. Throws FmpError on a stall or a cut. */
  read(): Promise<Uint8Array | null>;
  /** Reads at most `maxBytes` more as text (for error bodies and sniffing). */
  readText(maxBytes: number): Promise<string>;
  /** Body bytes received so far. */
  bytesRead(): number;
  /** Frees the connection; safe to call twice. */
  close(): void;
}

/** The URL with the key: built here and never put in a message. */
function requestUrl(transport: Transport, request: Request): string {
  const url = new URL(`${transport.baseUrl.replace(/\/+$/, "")}/${request.path}`);
  for (const [name, value] of Object.entries(request.query)) {
    url.searchParams.set(name, String(value));
  }
  url.searchParams.set("apikey", transport.apiKey);
  return url.toString();
}

/**
 * Sends the request. A 2xx answer comes back open for reading; anything else throws an
 * FmpError (retryable or not). An abort of `signal` by the caller is rethrown as is.
 */
export async function openRequest(
  transport: Transport,
  request: Request,
  signal: AbortSignal,
): Promise<OpenResponse> {
  await transport.limiter.acquire(signal);
  const attempt = new AbortController();
  const linked = AbortSignal.any([signal, attempt.signal]);
  let stalled = false;

  const fail = (error: unknown, phase: "response" | "body", bytes: number): never => {
    if (signal.aborted) throw signal.reason;
    if (error instanceof FmpError) throw error;
    if (stalled) {
      throw new FmpError({
        kind: "timeout",
        endpoint: request.label,
        what:
          phase === "response"
            ? `no response within ${transport.timeoutMs} ms`
            : `no data for ${transport.timeoutMs} ms after ${bytes} bytes`,
        retryable: true,
      });
    }
    throw new FmpError({
      kind: phase === "response" ? "network" : "truncated",
      endpoint: request.label,
      what:
        phase === "response"
          ? `network error: ${describeCause(error, transport.apiKey)}`
          : `connection broke after ${bytes} bytes: ${describeCause(error, transport.apiKey)}`,
      hint: phase === "response" ? "check FMP_BASE_URL and the network" : "",
      retryable: true,
    });
  };

  /** Races `work` against the stall timer; a stall aborts the request. */
  const withinTimeout = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const stall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        stalled = true;
        attempt.abort();
        reject(new Error("stalled"));
      }, transport.timeoutMs);
    });
    try {
      return await Promise.race([work, stall]);
    } finally {
      clearTimeout(timer);
    }
  };

  let response: Response;
  try {
    response = await withinTimeout(
      transport.fetch(requestUrl(transport, request), {
        signal: linked,
        headers: { accept: request.format === "csv" ? "text/csv, */*;q=0.5" : "application/json" },
      }),
    );
  } catch (error) {
    return fail(error, "response", 0);
  }

  const reader = response.body?.getReader();
  let received = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    reader?.cancel().catch(() => {});
    attempt.abort();
  };
  const read = async (): Promise<Uint8Array | null> => {
    if (!reader || closed) return null;
    try {
      const chunk = await withinTimeout(reader.read());
      if (chunk.done) return null;
      received += chunk.value.byteLength;
      return chunk.value;
    } catch (error) {
      close();
      return fail(error, "body", received);
    }
  };
  const readText = async (maxBytes: number): Promise<string> => {
    const decoder = new TextDecoder();
    let text = "";
    let taken = 0;
    while (taken < maxBytes) {
      const chunk = await read();
      if (!chunk) break;
      taken += chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  };

  if (!response.ok) {
    const retryAfterMs = parseRetryAfter(
      response.headers.get("retry-after"),
      transport.maxRetryAfterMs,
    );
    // The error body is only for the message; a failure to read it must not hide the status.
    const body = await readText(4096).catch(() => "");
    close();
    throw statusError(response.status, body, retryAfterMs, request);
  }

  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  const encoding = response.headers.get("content-encoding");
  const expectedBytes =
    Number.isFinite(length) && (!encoding || encoding === "identity") ? length : null;
  return {
    status: response.status,
    expectedBytes,
    read,
    readText,
    bytesRead: () => received,
    close,
  };
}
