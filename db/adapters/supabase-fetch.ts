/**
 * The one place Supabase requests are retried: a fetch wrapper handed to
 * supabase-js as `global.fetch`, so every REST call (reads, upserts, the
 * ledger) gets the same policy. Retries 5xx, 429 (honouring Retry-After) and
 * network errors with jittered exponential backoff; after the last attempt
 * the failing response itself is returned so supabase-js can report its body.
 */
import pRetry from "p-retry";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff delay; doubles each attempt up to maxDelayMs. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on a server's Retry-After, so a bad header cannot stall a run. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 5,
  minDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** Told about each retry; gets no headers or URL query, so it cannot leak a key. */
export type RetryListener = (event: {
  method: string;
  path: string;
  reason: string;
  attempt: number;
  delayMs: number;
}) => void;

/** A response worth another try; thrown inside p-retry, never seen by callers. */
class RetryableResponse extends Error {
  readonly status: number;
  readonly retryAfterMs: number | null;

  constructor(status: number, retryAfterMs: number | null) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

// undici reports refused connections, resets and DNS failures as TypeError("fetch failed").
function isNetworkError(error: unknown): boolean {
  return (
    error instanceof TypeError && /fetch failed|network|socket|ECONN|ETIMEDOUT/i.test(error.message)
  );
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": half fixed, half random, so concurrent workers spread out.
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeRequest(input: Parameters<typeof fetch>[0], init?: RequestInit) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const method = init?.method ?? (input instanceof Request ? input.method : "GET");
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = "<url>";
  }
  return { method, path };
}

/** Wraps `base` (the global fetch by default) with the retry policy. */
export function retryingFetch(
  base: typeof fetch = fetch,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: RetryListener,
): typeof fetch {
  return (input, init) =>
    pRetry(
      async (attempt) => {
        const response = await base(input, init);
        if (!isRetryableStatus(response.status) || attempt > policy.retries) return response;
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        await response.body?.cancel();
        throw new RetryableResponse(response.status, retryAfterMs);
      },
      {
        retries: policy.retries,
        // p-retry's own delay is off: the wait is chosen below, where Retry-After is known.
        minTimeout: 0,
        maxTimeout: 0,
        signal: init?.signal ?? undefined,
        shouldRetry: ({ error }) => error instanceof RetryableResponse || isNetworkError(error),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft <= 0) return;
          let delayMs: number;
          let reason: string;
          if (error instanceof RetryableResponse) {
            reason = `HTTP ${error.status}`;
            delayMs =
              error.retryAfterMs === null
                ? backoff(policy, attemptNumber)
                : Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
          } else if (isNetworkError(error)) {
            reason = "network error";
            delayMs = backoff(policy, attemptNumber);
          } else {
            return;
          }
          onRetry?.({ ...describeRequest(input, init), reason, attempt: attemptNumber, delayMs });
          await sleep(delayMs);
        },
      },
    );
}
