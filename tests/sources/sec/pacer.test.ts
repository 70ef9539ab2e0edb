/**
 * The SEC pacer on fake timers: request starts are exactly 1/rate apart, and a pause
 * (a Retry-After answer) holds every waiter. No wall-clock gaps are measured.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPacer } from "../../../sources/sec/pacer.ts";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `n` acquires at once and records the fake clock as each gets its slot. */
async function slotTimes(pacer: ReturnType<typeof createPacer>, n: number): Promise<number[]> {
  const t0 = performance.now();
  const times: number[] = [];
  const all = Promise.all(
    Array.from({ length: n }, () => pacer.acquire().then(() => times.push(performance.now() - t0))),
  );
  await vi.runAllTimersAsync();
  await all;
  return times.sort((a, b) => a - b);
}

describe("createPacer", () => {
  it("spaces request starts exactly 1/rate apart", async () => {
    const times = await slotTimes(createPacer(20), 6);
    expect(times).toEqual([0, 50, 100, 150, 200, 250]);
  });

  it("holds every waiter during a pause, then resumes at the rate", async () => {
    const pacer = createPacer(10);
    pacer.pause(1_000);
    const times = await slotTimes(pacer, 3);
    expect(times).toEqual([1_000, 1_100, 1_200]);
  });

  it("refuses a rate that is not a positive number", () => {
    expect(() => createPacer(0)).toThrow(RangeError);
    expect(() => createPacer(Number.NaN)).toThrow(RangeError);
  });
});
