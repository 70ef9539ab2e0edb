/**
 * The operator's pages on the finished store: each page is asked for in process
 * (`app.request`, no socket), so its time is the server's own: routing, the page's queries
 * and rendering the HTML, body included. One first request (cold caches, query plans not yet
 * made), then `repeats` timed ones; the bound (PAGE_TARGET_MS) is judged on the
 * slowest timed one, and any status other than 200 is a problem.
 */
import { inspect } from "node:util";
import { createInngestClient } from "../../inngest.config.ts";
import type { AssetGraph } from "../../runtime/graph.ts";
import type { Resources } from "../../runtime/resources.ts";
import { createApp } from "../../server/app.ts";
import type { PageFigure } from "./report.ts";

/** What the bench asks of the app: Hono's `request`, or a stand-in in tests. */
export interface PageApp {
  request(path: string): Response | Promise<Response>;
}

/** The pages measured: the graph (both views), two assets' pages, one ticker's and /checks. */
export function benchPagePaths(ticker: string): string[] {
  return [
    "/",
    "/?view=table&sort=rows&dir=desc",
    "/assets/fintra_snapshots",
    "/assets/datos_eod",
    `/tickers/${encodeURIComponent(ticker)}`,
    "/checks",
  ];
}

/** The app the server runs, open in dev mode (no admin token), on the bench's store. */
export function pagesApp(graph: AssetGraph, resources: Resources): PageApp {
  return createApp({
    client: createInngestClient({ isDev: true }),
    functions: [],
    graph,
    resources: async () => resources,
    dev: true,
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One request, its body read: status, bytes and milliseconds. */
async function timed(
  app: PageApp,
  path: string,
): Promise<{ status: number; bytes: number; ms: number }> {
  const started = performance.now();
  const response = await app.request(path);
  const body = await response.arrayBuffer();
  return { status: response.status, bytes: body.byteLength, ms: performance.now() - started };
}

/** Times each page in turn: a first request, then `repeats` more. */
export async function measurePages(
  app: PageApp,
  paths: readonly string[],
  repeats = 5,
): Promise<PageFigure[]> {
  const pages: PageFigure[] = [];
  for (const path of paths) {
    try {
      const first = await timed(app, path);
      const runs = [];
      for (let i = 0; i < repeats; i++) runs.push(await timed(app, path));
      const ms = runs.map((r) => r.ms);
      const status = [first, ...runs].find((r) => r.status !== 200)?.status ?? 200;
      pages.push({
        path,
        status,
        bytes: first.bytes,
        firstMs: first.ms,
        medianMs: median(ms),
        maxMs: ms.length ? Math.max(...ms) : first.ms,
        requests: runs.length,
      });
    } catch (error) {
      pages.push({
        path,
        status: 0,
        bytes: 0,
        firstMs: 0,
        medianMs: 0,
        maxMs: 0,
        requests: 0,
        error: `threw: ${(error instanceof Error ? error.message : inspect(error)).split("\n")[0]}`,
      });
    }
  }
  return pages;
}
