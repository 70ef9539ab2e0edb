/**
 * Request pacing: request starts at least 1/rate seconds apart, so no window of one second
 * ever holds more than `rate` of them (the SEC counts requests per second per requester).
 * A Retry-After answer pauses every request of the client, not only the one that got it.
 */

export interface RequestPacer {
  /** Waits until a request may start, and takes that slot. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** No request starts for the next `ms` milliseconds. */
  pause(ms: number): void;
}

export function createPacer(ratePerSecond: number): RequestPacer {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`rate must be a positive number, got ${ratePerSecond}`);
  }
  const interval = 1000 / ratePerSecond;
  let nextStart = 0;
  let pausedUntil = 0;
  return {
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const now = performance.now();
        const start = Math.max(nextStart, pausedUntil);
        if (start <= now) {
          nextStart = now + interval;
          return;
        }
        // Waiters woken together race for the slot; the loop re-checks, so spacing holds.
        await sleep(start - now, signal);
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
