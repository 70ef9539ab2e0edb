/**
 * The sliding-window limiter, on a short window so the test runs in milliseconds.
 */
import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../../sources/fmp/rate-limit.ts";

describe("rate limiter", () => {
  it("lets `limit` requests start at once, then one more per freed slot", async () => {
    const limiter = createRateLimiter(3, 200);
    const started = performance.now();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      times.push(performance.now() - started);
    }
    expect(times.slice(0, 3).every((t) => t < 50)).toBe(true);
    expect(times[3]).toBeGreaterThanOrEqual(190);
    expect(times[4]).toBeGreaterThanOrEqual(190);
  });

  it("never allows more than `limit` starts in any window, with concurrent callers", async () => {
    const limiter = createRateLimiter(4, 150);
    const started = performance.now();
    const times = await Promise.all(
      Array.from({ length: 10 }, async () => {
        await limiter.acquire();
        return performance.now() - started;
      }),
    );
    times.sort((a, b) => a - b);
    for (let i = 4; i < times.length; i++) {
      // The (i-4)th start and the ith are at least one window apart.
      expect((times[i] ?? 0) - (times[i - 4] ?? 0)).toBeGreaterThanOrEqual(145);
    }
  });

  it("a pause (Retry-After) holds every request", async () => {
    const limiter = createRateLimiter(100, 1_000);
    limiter.pause(120);
    const started = performance.now();
    await Promise.all([limiter.acquire(), limiter.acquire()]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("a waiting acquire can be aborted", async () => {
    const limiter = createRateLimiter(1, 10_000);
    await limiter.acquire();
    await expect(limiter.acquire(AbortSignal.timeout(30))).rejects.toThrow();
  });

  it("refuses a limit that is not a positive whole number", () => {
    expect(() => createRateLimiter(0)).toThrow(RangeError);
    expect(() => createRateLimiter(2.5)).toThrow(RangeError);
  });
});
