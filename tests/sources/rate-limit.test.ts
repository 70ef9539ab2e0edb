/**
 * The sources' limiter on fake timers: the clock moves only when the test moves it, so the
 * figures are exact and no test measures wall-clock gaps. The sliding window (FMP's calls a
 * minute) and the paced form (the SEC's requests a second).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRateLimiter, pacedLimiter, type RateLimiter } from "../../sources/rate-limit.ts";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `n` acquires at once; returns the fake time each got its slot, in order. */
async function slotTimes(limiter: RateLimiter, n: number) {
  const t0 = performance.now();
  const times: number[] = [];
  const all = Promise.all(
    Array.from({ length: n }, () =>
      limiter.acquire().then(() => times.push(performance.now() - t0)),
    ),
  );
  await vi.runAllTimersAsync();
  await all;
  return times.sort((a, b) => a - b);
}

describe("rate limiter", () => {
  it("lets `limit` requests start at once, then one more per freed slot", async () => {
    const times = await slotTimes(createRateLimiter(3, 200), 5);
    expect(times.slice(0, 3)).toEqual([0, 0, 0]);
    expect(times[3]).toBeGreaterThanOrEqual(200);
    expect(times[4]).toBeGreaterThanOrEqual(200);
  });

  it("never allows more than `limit` starts in any window, with concurrent callers", async () => {
    const times = await slotTimes(createRateLimiter(4, 150), 10);
    for (let i = 4; i < times.length; i++) {
      // The (i-4)th start and the ith are at least one window apart.
      expect((times[i] ?? 0) - (times[i - 4] ?? 0)).toBeGreaterThanOrEqual(150);
    }
  });

  it("a pause (Retry-After) holds every request", async () => {
    const limiter = createRateLimiter(100, 1_000);
    limiter.pause(120);
    const times = await slotTimes(limiter, 2);
    expect(times.every((t) => t >= 120)).toBe(true);
  });

  it("a waiting acquire can be aborted", async () => {
    const limiter = createRateLimiter(1, 10_000);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
  });

  it("refuses a limit that is not a positive whole number", () => {
    expect(() => createRateLimiter(0)).toThrow(RangeError);
    expect(() => createRateLimiter(2.5)).toThrow(RangeError);
  });
});

describe("paced limiter (the SEC's requests a second)", () => {
  it("spaces request starts exactly 1/rate apart", async () => {
    expect(await slotTimes(pacedLimiter(20), 6)).toEqual([0, 50, 100, 150, 200, 250]);
  });

  it("holds every waiter during a pause, then resumes at the rate", async () => {
    const limiter = pacedLimiter(10);
    limiter.pause(1_000);
    expect(await slotTimes(limiter, 3)).toEqual([1_000, 1_100, 1_200]);
  });

  it("refuses a rate that is not a positive number", () => {
    expect(() => pacedLimiter(0)).toThrow(RangeError);
    expect(() => pacedLimiter(Number.NaN)).toThrow(RangeError);
  });
});
