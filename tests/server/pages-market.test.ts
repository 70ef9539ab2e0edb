/**
 * The ticker and checks pages on the real graph over the sandbox market: one
 * company's snapshot blocks, closes, figures and benchmarks, and the
 * guide's figures of the day, passing on an ordinary day and marked on a day whose
 * snapshot run fell short.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GUIDE_METRICS } from "../../assets/monitoring.ts";
import { fintraSnapshotsTable } from "../../assets/snapshot/fintra_snapshots.ts";
import type { Store } from "../../db/index.ts";
import { createInngestClient } from "../../inngest.config.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import type { Resources } from "../../runtime/resources.ts";
import { createApp } from "../../server/app.ts";
import { ASSETS, buildDay, DAY, tickingResources } from "../assets/snapshot/graph.ts";
import { startTestMarket, type TestMarket } from "../helpers/sandbox.ts";
import { openTestStore } from "../helpers/store.ts";

let store: Store;
let market: TestMarket;
let resources: Resources;
const graph = new AssetGraph(ASSETS);

function app() {
  const client = createInngestClient({ isDev: true });
  return createApp({ client, functions: [], graph, resources: async () => resources, dev: true });
}

/** The JSON a chart holder of the page carries. */
function chart(page: string, id: string): { x: string[]; series: { values: unknown[] }[] } {
  const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, "s").exec(
    page,
  );
  if (!match?.[1]) throw new Error(`no chart ${id}`);
  return JSON.parse(match[1]);
}

beforeAll(async () => {
  [store, market] = await Promise.all([
    openTestStore(),
    startTestMarket({ tickers: 64, asOf: DAY, historyYears: 4 }),
  ]);
  resources = tickingResources(store, market);
  await buildDay(resources);
});
afterAll(async () => {
  await market?.close();
  await store?.close();
});

describe("/tickers/:ticker", () => {
  it("shows the day's snapshot block by block, each with its status or why it is pending", async () => {
    const [row] = await store.readAll(fintraSnapshotsTable, {
      where: { ticker: "AAPL", snapshot_date: DAY },
    });
    expect(row).toBeDefined();
    const page = await (await app().request("/tickers/AAPL")).text();
    expect(page).toContain(`Snapshot of ${DAY}`);
    const blocks = [...page.matchAll(/data-block="([^"]+)"/g)].map((m) => m[1]);
    expect(blocks).toEqual([
      "FGOS",
      "Valuation",
      "IFS",
      "Moat",
      "Sentiment",
      "Dividends",
      "Relative return",
      "Verdict",
    ]);
    expect(page).toContain(String(row?.fgos_status));
    if (row?.fgos_score !== null)
      expect(page).toContain(`>${Math.round(Number(row?.fgos_score))}<`);
  });

  it("draws the closes datos_eod holds for the last year, and the latest FY and TTM figures", async () => {
    const page = await (await app().request("/tickers/AAPL")).text();
    const prices = chart(page, "ticker-prices");
    const stored = await store.readOnlyQuery(
      `SELECT count(*)::int AS n FROM datos_eod WHERE ticker = 'AAPL' AND price_date > date '${DAY}' - interval '1 year' AND price_date <= '${DAY}'`,
    );
    expect(prices.x.length).toBe(Number(stored[0]?.n));
    expect(prices.x.at(-1)).toBe(DAY);
    expect(page).toMatch(/<th class="num">FY \d{4}/);
    expect(page).toMatch(/<th class="num">TTM \d{4}Q\d/);
  });

  it("shows the sector benchmarks it was scored against", async () => {
    const page = await (await app().request("/tickers/AAPL")).text();
    const sector = /<h2>Sector: ([^<]+)<\/h2>/.exec(page)?.[1];
    expect(sector).toBeTruthy();
    const rows = await store.readOnlyQuery(
      `SELECT count(*)::int AS n FROM sector_benchmarks WHERE sector = '${sector}' AND snapshot_date = '${DAY}'`,
    );
    const shown = page.split(`<h2>Sector: ${sector}</h2>`)[1]?.split("<h2>")[0] ?? "";
    expect((shown.match(/<tr><td>/g) ?? []).length).toBe(Number(rows[0]?.n));
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });
});

describe("/checks", () => {
  it("passes every figure of the guide on the ordinary sandbox day", async () => {
    const page = await (await app().request("/checks")).text();
    const today =
      /<tr class="([^"]*)" data-day="2026-11-27" data-failing="(\d+)">(.*?)<\/tr>/s.exec(page);
    expect(today?.[2]).toBe("0");
    // Every figure of an asset this graph has was read from the day's run.
    const cells = [...(today?.[3] ?? "").matchAll(/<td class="num[^"]*"[^>]*>(.*?)<\/td>/gs)];
    expect(cells.length).toBe(GUIDE_METRICS.length);
    GUIDE_METRICS.forEach((m, i) => {
      const shown = cells[i]?.[1] ?? "";
      if (graph.assets.has(m.asset)) expect(shown, m.key).not.toBe("–");
      else expect(shown, m.key).toBe("–");
    });
  });

  it("marks a day whose snapshot run wrote too few rows", async () => {
    const earlier = "2026-11-20";
    const decision = {
      asset: "fintra_snapshots",
      partition: earlier,
      runDate: earlier,
      scopeKey: "",
      trigger: "test",
      decision: "run" as const,
      reason: "test",
      missing: [],
      inProgress: [],
      blocked: [],
    };
    const started = await store.ledger.start(
      {
        asset: "fintra_snapshots",
        partition: earlier,
        runDate: earlier,
        scope: null,
        trigger: "test",
        executor: "in-process",
        runId: null,
        upstream: [],
      },
      decision,
      { staleAfterMs: 60_000, supersede: false },
    );
    if (!started) throw new Error("no claim");
    await store.ledger.succeed(started.id, {
      rows: 20,
      metadata: { tickers: 60, fgosComputed: 18, withRelativeReturn: 19 },
      checks: [],
    });
    const page = await (await app().request("/checks")).text();
    const row = new RegExp(`data-day="${earlier}" data-failing="(\\d+)">(.*?)</tr>`, "s").exec(
      page,
    );
    expect(row?.[1]).toBe("1");
    expect(row?.[2]).toContain("alert");
  });
});
