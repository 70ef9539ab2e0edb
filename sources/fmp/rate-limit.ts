/**
 * A sliding-window request limiter: at most `limit` request starts in any window of
 * `windowMs` (FMP counts calls per minute per key), plus a pause that a Retry-After
 * answer sets for every request of the client, not just the one that got it.
 */

export interface RateLimiter {
  /** Waits until a request may start, and counts it. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** No request starts for the next `ms` milliseconds. */
  pause(ms: number): void;
}

export function createRateLimiter(limit: number, windowMs = 60_000): RateLimiter {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`rate limit must be a positive whole number, got ${limit}`);
  }
  // Start times of the requests inside the current window, oldest first.
  const starts: number[] = [];
  let pausedUntil = 0;

  return {
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const now = performance.now();
        while (starts.length > 0 && starts[0]! <= now - windowMs) starts.shift();
        let waitMs = pausedUntil - now;
        if (waitMs <= 0 && starts.length < limit) {
          starts.push(now);
          return;
        }
        if (waitMs <= 0) waitMs = starts[0]! + windowMs - now;
        // Several waiters can wake together; the loop re-checks, so the limit still holds.
        await sleep(Math.max(1, waitMs), signal);
      }
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, performance.now() + ms);
    },
  };
}

/** setTimeout as a promise that an AbortSignal can cut short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
