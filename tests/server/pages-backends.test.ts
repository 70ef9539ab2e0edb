/**
 * The pages work the same on every store: the same sandbox day built on PGlite, on the
 * Postgres at DATABASE_URL (when set) and on Supabase (the REST adapter over the PostgREST
 * emulator) renders the same graph states, the same ticker page and the same guide figures.
 * Only run times and stamps may differ, so those are masked before comparing.
 */
import { beforeAll, expect, it } from "vitest";
import { createInngestClient } from "../../inngest.config.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { createApp } from "../../server/app.ts";
import { ASSETS, buildDay, DAY, tickingResources } from "../assets/snapshot/graph.ts";
import { startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { type Backend, backends, openTestStore } from "../helpers/store.ts";

const graph = new AssetGraph(ASSETS);
const PAGES = [
  "/",
  "/?view=table&sort=asset&dir=asc",
  "/assets/fintra_snapshots",
  "/tickers/AAPL",
  "/checks",
];

/** Times, durations and ids that differ between any two runs, whatever the store. */
function masked(html: string): string {
  return (
    html
      .replace(
        /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?/g,
        "<time>",
      )
      .replace(/\d+(\.\d+)?\s?(ms|s|min)\b/g, "<duration>")
      .replace(/data-seconds="[^"]*"/g, "")
      // The table view's seconds column: the cell after the rows.
      .replace(/(<td class="num">[\d,–]+<\/td>\s*<td class="num">)[\d.]+(<\/td>)/g, "$1<seconds>$2")
      .replace(/<script type="application\/json" id="asset-history">.*?<\/script>/gs, "")
  );
}

type Pages = Map<string, { status: number; html: string }>;

/** The day built on a fresh store of `backend`, and its pages as the server renders them. */
async function renderOn(backend: Backend, market: TestMarket): Promise<Pages> {
  const store = await openTestStore(backend);
  try {
    const resources = tickingResources(store, market);
    await buildDay(resources);
    const app = createApp({
      client: createInngestClient({ isDev: true }),
      functions: [],
      graph,
      resources: async () => resources,
      dev: true,
    });
    const pages: Pages = new Map();
    for (const path of PAGES) {
      const res = await app.request(path);
      pages.set(path, { status: res.status, html: await res.text() });
    }
    return pages;
  } finally {
    await store.close();
  }
}

const rendered = new Map<Backend, Pages>();

beforeAll(async () => {
  const market = await startTestMarket({ tickers: 64, asOf: DAY, historyYears: 4 });
  try {
    for (const backend of backends) rendered.set(backend, await renderOn(backend, market));
  } finally {
    await market.close();
  }
}, 300_000);

it.each(backends)("answers every page on %s with 200, every asset fresh for the day", (backend) => {
  const pages = rendered.get(backend);
  expect([...(pages?.keys() ?? [])]).toEqual(PAGES);
  for (const [path, page] of pages ?? []) expect(page.status, path).toBe(200);
  const home = pages?.get("/")?.html ?? "";
  const states = [...home.matchAll(/data-asset="(\w+)" data-state="(\w+)"/g)];
  expect(states.map((s) => s[1]).sort()).toEqual([...graph.order].sort());
  expect(new Set(states.map((s) => s[2]))).toEqual(new Set(["fresh"]));
});

it.each(backends.filter((b) => b !== "pglite"))(
  "renders on %s what PGlite renders for the same day",
  (backend) => {
    const reference = rendered.get("pglite");
    for (const [path, page] of rendered.get(backend) ?? []) {
      expect(masked(page.html), path).toBe(masked(reference?.get(path)?.html ?? ""));
    }
  },
);
