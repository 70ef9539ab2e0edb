import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BenchReport,
  resultsPath,
  runMarkdown,
  SECTION_BEGIN,
  saveRun,
  withRun,
} from "../../bench/market/report.ts";
import { type FileServer, startFileServer } from "../../bench/market/serve.ts";
import { ORIGIN_PLACEHOLDER, readIndex, storeEntry } from "../../bench/market/static-server.mjs";
import { createSandboxMarket, startSandboxServer } from "../../sources/sandbox/index.ts";

describe("bench:market file server", () => {
  let dir: string;
  let server: FileServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fintra-bench-serve-"));
    storeEntry(dir, {
      key: "/stable/eod-bulk?date=2026-11-30",
      status: 200,
      contentType: "text/csv; charset=utf-8",
      body: Buffer.from('"symbol","date"\n"AAPL","2026-11-30"'),
      rewrite: false,
    });
    storeEntry(dir, {
      key: "/stable/sec-filings-search/form-type?formType=8-K",
      status: 200,
      contentType: "application/json; charset=utf-8",
      body: Buffer.from(JSON.stringify([{ finalLink: `${ORIGIN_PLACEHOLDER}/sandbox/sec/x.htm` }])),
      rewrite: true,
    });
    server = await startFileServer(dir);
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves a cached body for the same query in any order, with any apikey", async () => {
    const response = await fetch(`${server.url}/eod-bulk?apikey=k&date=2026-11-30`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    expect(await response.text()).toBe('"symbol","date"\n"AAPL","2026-11-30"');
  });

  it("refuses a request without apikey like FMP", async () => {
    const response = await fetch(`${server.url}/eod-bulk?date=2026-11-30`);
    expect(response.status).toBe(401);
  });

  it("puts its own origin back into listings", async () => {
    const response = await fetch(
      `${server.url}/sec-filings-search/form-type?formType=8-K&apikey=k`,
    );
    const [row] = (await response.json()) as { finalLink: string }[];
    expect(row?.finalLink).toBe(`${new URL(server.url).origin}/sandbox/sec/x.htm`);
  });

  it("answers a miss with 404 and reports it next to what it served", async () => {
    await server.takeLog();
    expect((await fetch(`${server.url}/eod-bulk?date=2026-11-30&apikey=k`)).status).toBe(200);
    const response = await fetch(`${server.url}/eod-bulk?date=2026-12-01&apikey=k`);
    expect(response.status).toBe(404);
    const log = await server.takeLog();
    expect(log.misses).toEqual(["/stable/eod-bulk?date=2026-12-01"]);
    expect(log.served.map((s) => s.key)).toContain("/stable/eod-bulk?date=2026-11-30");
    expect(server.misses).toContain("/stable/eod-bulk?date=2026-12-01");
    expect((await server.takeLog()).served).toEqual([]);
  });

  it("keeps the index as one entry per key, the latest line winning", () => {
    expect([...readIndex(dir).keys()]).toHaveLength(2);
  });
});

describe("bench:market file server recording (--record)", () => {
  it("fetches a miss from the live sandbox, stores it and serves it with its own origin", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fintra-bench-record-"));
    const market = createSandboxMarket({ tickers: 60, seed: 42, asOf: "2026-11-30" });
    const sandbox = await startSandboxServer({ market });
    const server = await startFileServer(dir, sandbox.url);
    try {
      const eod = await fetch(`${server.url}/eod-bulk?date=2026-11-30&apikey=k`);
      expect(eod.status).toBe(200);
      expect((await eod.text()).split("\n").length).toBeGreaterThan(10);
      const listing = await fetch(
        `${server.url}/sec-filings-search/form-type?formType=8-K&from=2026-01-01&to=2026-11-30&page=0&limit=5&apikey=k`,
      );
      const rows = (await listing.json()) as { finalLink: string }[];
      expect(rows[0]?.finalLink.startsWith(new URL(server.url).origin)).toBe(true);
      const log = await server.takeLog();
      expect(log.misses).toEqual([]);
      expect(log.recorded).toHaveLength(2);
      const index = readIndex(dir);
      expect(index.get("/stable/eod-bulk?date=2026-11-30")?.status).toBe(200);
      expect([...index.values()].find((e) => e.key.includes("sec-filings-search"))?.rewrite).toBe(
        true,
      );
    } finally {
      await server.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("BENCHMARKS.md", () => {
  const report: BenchReport = {
    date: "2026-12-05",
    backend: "postgres",
    options: { tickers: 500, years: 1 },
    machine: { cpus: 2, cpuModel: "cpu", memoryGb: 24, platform: "linux" },
    versions: { node: "20" },
    days: { day: "2026-11-27", next: "2026-11-30", historyFrom: "a", historyTo: "b" },
    render: { seconds: 3, cacheHit: false, files: 10, dir: "/c" },
    stages: [
      {
        key: "steady",
        label: "steady day",
        seconds: 10,
        rows: 1000,
        rowsPerSecond: 100,
        peakRssMb: 300,
        requests: 5,
        bytes: 1024 * 1024,
        misses: [],
        problems: [],
        assets: [],
        floor: "steady",
      },
    ],
    floors: [
      {
        key: "steady",
        label: "steady floor",
        files: 5,
        bytes: 1024 * 1024,
        downloadSeconds: 1,
        parsedRows: 900,
        parseSeconds: 1,
        copyRows: 1000,
        copySeconds: 2,
        seconds: 4,
        tables: [],
      },
    ],
    notes: [],
    problems: [],
  };

  it("prints each stage's ratio to its floor", () => {
    expect(runMarkdown(report)).toMatch(/\| steady day +\| 10\.0 +\|.*\| 4\.00 +\| 2\.50x +\|/);
  });

  it("creates its section, then adds newer runs above older ones and keeps other text", () => {
    const first = withRun("# Benchmarks\n\nintro\n", "### run 1\n");
    expect(first).toContain("intro");
    expect(first).toContain(SECTION_BEGIN);
    const second = withRun(`${first}\n## other bench\n`, "### run 2\n");
    expect(second.indexOf("### run 2")).toBeLessThan(second.indexOf("### run 1"));
    expect(second).toContain("## other bench");
    expect(second.match(/## bench:market/g)).toHaveLength(1);
  });

  it("names each run's JSON after its day, backend, size and years, never reusing a name", () => {
    const root = mkdtempSync(join(tmpdir(), "fintra-bench-save-"));
    try {
      const first = resultsPath(root, report);
      expect(first).toBe("bench/results/2026-12-05-postgres-500t-1y.json");
      expect(saveRun(root, first, report, runMarkdown(report, first))).toBe(true);
      const second = resultsPath(root, report);
      expect(second).toBe("bench/results/2026-12-05-postgres-500t-1y-2.json");
      expect(saveRun(root, second, report, runMarkdown(report, second))).toBe(true);
      expect(resultsPath(root, report)).toBe("bench/results/2026-12-05-postgres-500t-1y-3.json");
      const book = readFileSync(join(root, "BENCHMARKS.md"), "utf8");
      expect(book).toContain(first);
      expect(book).toContain(second);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("writes nothing for an interrupted run", () => {
    const root = mkdtempSync(join(tmpdir(), "fintra-bench-save-"));
    try {
      const stopped = { ...report, stopped: "interrupted (SIGINT)" };
      const markdown = runMarkdown(stopped);
      expect(markdown).toContain("**STOPPED, NOT RECORDED**: interrupted (SIGINT)");
      expect(saveRun(root, "bench/results/run.json", stopped, markdown)).toBe(false);
      expect(readdirSync(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("records a finished run whose checks failed, marked INVALID", () => {
    const root = mkdtempSync(join(tmpdir(), "fintra-bench-save-"));
    try {
      const invalid = { ...report, problems: ["the rerun of a finished day WROTE"] };
      const markdown = runMarkdown(invalid, "bench/results/run.json");
      expect(saveRun(root, "bench/results/run.json", invalid, markdown)).toBe(true);
      expect(readFileSync(join(root, "BENCHMARKS.md"), "utf8")).toContain("**INVALID RUN**");
      expect(existsSync(join(root, "bench/results/run.json"))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
