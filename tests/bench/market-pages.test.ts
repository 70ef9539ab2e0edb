import { describe, expect, it } from "vitest";
import { benchPagePaths, measurePages, type PageApp } from "../../bench/market/pages.ts";
import {
  type BenchReport,
  PAGE_TARGET_MS,
  type PageFigure,
  pageProblems,
  pageVerdict,
  runMarkdown,
} from "../../bench/market/report.ts";

const page = (overrides: Partial<PageFigure>): PageFigure => ({
  path: "/",
  status: 200,
  bytes: 2048,
  firstMs: 40,
  medianMs: 12,
  maxMs: 20,
  requests: 5,
  ...overrides,
});

describe("bench:market pages", () => {
  const report: BenchReport = {
    date: "2026-12-05",
    backend: "postgres",
    options: { tickers: 500, years: 1 },
    machine: { cpus: 2, cpuModel: "cpu", memoryGb: 24, platform: "linux" },
    versions: { node: "20" },
    days: { day: "2026-11-27", next: "2026-11-30", historyFrom: "a", historyTo: "b" },
    render: { seconds: 3, cacheHit: false, files: 10, dir: "/c" },
    stages: [],
    floors: [],
    notes: [],
    problems: [],
  };

  it("measures the graph, both asset pages, the --ticker's page and /checks", () => {
    expect(benchPagePaths("BRK.B")).toEqual([
      "/",
      "/?view=table&sort=rows&dir=desc",
      "/assets/fintra_snapshots",
      "/assets/datos_eod",
      "/tickers/BRK.B",
      "/checks",
    ]);
  });

  it("passes a 200 within the target and fails a slow page or one that is not 200", () => {
    expect(pageVerdict(page({ maxMs: PAGE_TARGET_MS }))).toBeNull();
    // The first request is shown, not judged.
    expect(pageVerdict(page({ firstMs: 900 }))).toBeNull();
    expect(pageVerdict(page({ maxMs: 300.4 }))).toBe("300.4 ms at worst, over the 300 ms target");
    expect(pageVerdict(page({ status: 500 }))).toBe("status 500");
    expect(
      pageProblems([
        page({}),
        page({ path: "/checks", maxMs: 512 }),
        page({ path: "/x", status: 404 }),
      ]),
    ).toEqual(["page /checks: 512.0 ms at worst, over the 300 ms target", "page /x: status 404"]);
  });

  it("prints the pages' table and verdict, and nothing for a run from before the pages", () => {
    expect(runMarkdown(report)).not.toContain("Pages");
    const ok = runMarkdown({ ...report, pages: [page({}), page({ path: "/checks", maxMs: 250 })] });
    expect(ok).toContain("target 300 ms");
    expect(ok).toMatch(/\| \/checks +\| 200 +\| 2\.0 +\| 40\.0 +\| 12\.0 +\| 250 +\| ok +\|/);
    expect(ok).toContain("Pages: all 2 within 300 ms.");
    const slow = runMarkdown({
      ...report,
      pages: [page({}), page({ path: "/checks", maxMs: 420 })],
    });
    expect(slow).toMatch(/\| \/checks .*\| NO: 420\.0 ms at worst, over the 300 ms target \|/);
    expect(slow).toContain("Pages: 1 of 2 NOT within 300 ms or not 200.");
  });

  it("times a first request and the repeats, body included, and keeps a status other than 200", async () => {
    const seen: string[] = [];
    const app: PageApp = {
      request(path) {
        seen.push(path);
        const status = path === "/gone" && seen.length > 7 ? 500 : 200;
        return new Response("x".repeat(100), { status });
      },
    };
    const [home, gone] = await measurePages(app, ["/", "/gone"], 3);
    expect(seen).toEqual(["/", "/", "/", "/", "/gone", "/gone", "/gone", "/gone"]);
    expect(home).toMatchObject({ path: "/", status: 200, bytes: 100, requests: 3 });
    expect(home?.maxMs).toBeGreaterThanOrEqual(home?.medianMs ?? 0);
    expect(gone?.status).toBe(500);
    expect(pageProblems([home as PageFigure, gone as PageFigure])).toEqual([
      "page /gone: status 500",
    ]);
  });

  it("records a page whose request threw as a problem", async () => {
    const app: PageApp = {
      request() {
        throw new Error("connection refused\nstack");
      },
    };
    const [broken] = await measurePages(app, ["/checks"]);
    expect(broken?.error).toBe("threw: connection refused");
    expect(pageProblems(broken ? [broken] : [])).toEqual([
      "page /checks: threw: connection refused",
    ]);
  });
});
