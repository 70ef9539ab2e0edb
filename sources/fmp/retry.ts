/**
 * The retry policy, on p-retry: retryable FmpErrors (429, 5xx, timeouts, broken or cut
 * bodies) are retried with exponential backoff and jitter; a Retry-After answer pauses the
 * whole client (the limit is per key, so every request must wait, not only this one).
 * When the retries run out, the last error is rethrown with the attempt count.
 */
import pRetry from "p-retry";
import type { RateLimiter } from "../rate-limit.ts";
import { FmpError } from "./errors.ts";

export interface FmpLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  limiter: RateLimiter;
  logger: FmpLogger;
}

export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<T>,
  onRetry?: (error: FmpError) => void,
): Promise<T> {
  let attempts = 0;
  try {
    return await pRetry(
      () => {
        attempts++;
        return attempt();
      },
      {
        retries: policy.retries,
        factor: 2,
        minTimeout: policy.minBackoffMs,
        maxTimeout: policy.maxBackoffMs,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => error instanceof FmpError && error.retryable,
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (!(error instanceof FmpError) || !error.retryable || retriesLeft <= 0) return;
          if (error.retryAfterMs !== undefined) policy.limiter.pause(error.retryAfterMs);
          onRetry?.(error);
          policy.logger.warn(`${error.message}; retrying (${retriesLeft} retries left)`);
        },
      },
    );
  } catch (error) {
    if (error instanceof FmpError && error.retryable && attempts > 1) {
      throw new FmpError({
        kind: error.kind,
        endpoint: error.endpoint,
        what: `${error.what}; gave up after ${attempts} attempts`,
        hint: error.hint,
        status: error.status,
        retryable: true,
      });
    }
    throw error;
  }
}
