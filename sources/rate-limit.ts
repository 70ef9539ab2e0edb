/**
 * The one request limiter of the sources: at most `limit` request starts in any window of
 * `windowMs`, plus a pause that a Retry-After answer sets for every request of the client,
 * not just the one that got it. FMP counts calls per minute per key (`limit` a minute);
 * the SEC counts requests per second per requester, paced as one start per 1/rate second
 * (`pacedLimiter`), so no second ever holds more than `rate`.
 *
 * Hand-written rather than `bottleneck`: a sliding window with a shared Retry-After pause
 * and abortable waits is these forty lines, and bottleneck's reservoir refreshes a fixed
 * window (a burst at its edge would double FMP's per-minute count).
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

/** Request starts at least 1/rate seconds apart (the SEC's requests per second). */
export function pacedLimiter(ratePerSecond: number): RateLimiter {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`rate must be a positive number, got ${ratePerSecond}`);
  }
  return createRateLimiter(1, 1000 / ratePerSecond);
}

/** A Retry-After header as milliseconds (seconds or an HTTP date), capped; undefined when absent. */
export function parseRetryAfter(value: string | null, capMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  let ms: number;
  if (Number.isFinite(seconds)) ms = seconds * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = at - Date.now();
  }
  return Math.min(Math.max(0, ms), capMs);
}

/** setTimeout as a promise that an AbortSignal can cut short. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
