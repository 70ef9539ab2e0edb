import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createSandboxMarket,
  EOD_COLUMNS,
  type SandboxServer,
  startSandboxServer,
} from "../../../sources/sandbox/index.ts";
import { parseCsv } from "./support.ts";

const market = createSandboxMarket({ tickers: 400, seed: 9, asOf: "2026-11-28" });
const DAY = "2026-11-27";
let server: SandboxServer;

beforeAll(async () => {
  server = await startSandboxServer({ market });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.setFaults();
});

function get(path: string): Promise<Response> {
  return fetch(`${server.url}/${path}${path.includes("?") ? "&" : "?"}apikey=k`);
}

describe("sandbox fault injection", () => {
  it("answers the first K requests to an endpoint with 429 and Retry-After", async () => {
    server.setFaults({ rateLimit: { endpoints: ["eod-bulk"], first: 2, retryAfterSeconds: 0 } });
    const before = server.stats.faults.rateLimited;
    const first = await get(`eod-bulk?date=${DAY}`);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("0");
    expect(Object.keys((await first.json()) as object)).toEqual(["Error Message"]);
    expect((await get(`eod-bulk?date=${DAY}`)).status).toBe(429);
    expect((await get("peers-bulk")).status).toBe(200); // another endpoint is not limited
    const third = await get(`eod-bulk?date=${DAY}`);
    expect(third.status).toBe(200);
    await third.text();
    expect(server.stats.faults.rateLimited - before).toBe(2);
  });

  it("sends bursts of 429s every N requests", async () => {
    server.setFaults({ rateLimit: { every: 3, burst: 2, retryAfterSeconds: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await get("scores-bulk?part=1");
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([200, 200, 429, 429, 200, 429, 429]);
  });

  it("answers every Nth request with a 500", async () => {
    server.setFaults({ serverError: { endpoints: ["/stable/peers-bulk"], every: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await get("peers-bulk");
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500]);
  });

  it("delays slow responses", async () => {
    server.setFaults({ slow: { first: 1, delayMs: 300 } });
    const slowBefore = server.stats.faults.slow;
    const start = performance.now();
    await (await get("ratios-ttm-bulk?part=1")).text();
    expect(performance.now() - start).toBeGreaterThanOrEqual(280);
    expect(server.stats.faults.slow - slowBefore).toBe(1);
    // Only the first request is slow: the second one is not delayed (counted, not timed).
    await (await get("ratios-ttm-bulk?part=1")).text();
    expect(server.stats.faults.slow - slowBefore).toBe(1);
  });

  it("cuts the connection mid-body", async () => {
    server.setFaults({ truncate: { endpoints: ["eod-bulk"], first: 1, afterBytes: 1500 } });
    const before = server.stats.faults.truncated;
    const res = await get(`eod-bulk?date=${DAY}`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(server.stats.faults.truncated - before).toBe(1);
    const whole = await (await get(`eod-bulk?date=${DAY}`)).text();
    expect(parseCsv(whole).length).toBeGreaterThan(300);
  });

  it("damages a seeded share of rows, the same rows for the same URL", async () => {
    server.setFaults({ malformedRows: { endpoints: ["eod-bulk"], rate: 0.1, seed: 3 } });
    const before = server.stats.faults.malformedRows;
    const text = await (await get(`eod-bulk?date=${DAY}`)).text();
    const rows = parseCsv(text).slice(1);
    const damaged = rows.filter(
      (row) =>
        row.length !== EOD_COLUMNS.length ||
        row.slice(2).some((field) => field !== "" && Number.isNaN(Number(field))),
    );
    expect(damaged.length / rows.length).toBeGreaterThan(0.04);
    expect(damaged.length / rows.length).toBeLessThan(0.18);
    expect(damaged.some((row) => row.length !== EOD_COLUMNS.length)).toBe(true);
    expect(damaged.some((row) => row.includes("N/A"))).toBe(true);
    expect(server.stats.faults.malformedRows - before).toBe(damaged.length);
    expect(await (await get(`eod-bulk?date=${DAY}`)).text()).toBe(text);
    const other = await (await get(`peers-bulk`)).text();
    expect(parseCsv(other).every((row) => row.length === 2)).toBe(true);
  });
});
