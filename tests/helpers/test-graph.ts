/**
 * A five-asset graph shaped like the real one (an unpartitioned root with a
 * cron, two ingest assets, a fan-in, a leaf), defined in tests only. Each
 * asset writes one row per ticker of its scope to test_rows and remembers
 * its calls, so tests can count runs and check what they read.
 */

import type { AssetContext, AssetDefinition } from "../../runtime/define.ts";
import { defineAsset } from "../../runtime/define.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { NoTradingError } from "../../runtime/partitions.ts";
import { testRows } from "./test-table.ts";

export const UNIVERSE = ["AAA", "BBB", "CCC", "DDD"];

export interface Call {
  asset: string;
  runDate: string;
  scopeKey: string;
  upstream: string[];
}

export interface TestGraph {
  graph: AssetGraph;
  calls: Call[];
  /** Make an asset throw on its next runs until cleared. */
  failing: Set<string>;
  /** Dates on which `prices` finds the market closed. */
  holidays: Set<string>;
}

function tickersFor(ctx: AssetContext): string[] {
  if (ctx.scope?.tickers) return ctx.scope.tickers;
  if (ctx.scope?.limit) return UNIVERSE.slice(0, ctx.scope.limit);
  return UNIVERSE;
}

export function createTestGraph(): TestGraph {
  const calls: Call[] = [];
  const failing = new Set<string>();
  const holidays = new Set<string>();
  const asset = (
    key: string,
    deps: string[],
    partitioned: boolean,
    extra: Partial<AssetDefinition> = {},
  ) =>
    // `partitioned` is a runtime flag here, so the literal is typed as the union itself.
    defineAsset({
      key,
      description: `test asset ${key}`,
      deps,
      partitioned,
      async materialize(ctx: AssetContext) {
        const tickers = tickersFor(ctx);
        // Recorded inside the step: under Inngest the body outside steps replays.
        const rows = await ctx.step(`write-${key}`, async () => {
          calls.push({
            asset: key,
            runDate: ctx.runDate,
            scopeKey:
              ctx.scope?.tickers?.join(",") ?? (ctx.scope?.limit ? `limit:${ctx.scope.limit}` : ""),
            upstream: ctx.upstream.map((u) => u.asset).sort(),
          });
          if (failing.has(key)) throw new Error(`${key} exploded on purpose`);
          if (key === "prices" && holidays.has(ctx.runDate)) {
            throw new NoTradingError(`no trading on ${ctx.runDate}`);
          }
          ctx.progress.total(tickers.length);
          const written = await ctx.db.upsert(
            testRows,
            tickers.map((ticker) => ({
              asset: key,
              day: ctx.runDate,
              ticker,
              value: calls.length,
              label: null,
              active: true,
              tags: null,
              extra: null,
              seen_at: null,
            })),
          );
          ctx.progress.advance(tickers.length);
          return written;
        });
        return { rows, metadata: { tickers: tickers.length } };
      },
      ...extra,
    } as AssetDefinition);
  const graph = new AssetGraph([
    asset("universe", [], false, { cron: "TZ=America/New_York 30 18 * * 1-5" }),
    asset("prices", ["universe"], true),
    asset("financials", ["universe"], true),
    asset("valuation", ["prices", "financials"], true),
    asset("snapshot", ["valuation", "prices"], true),
  ]);
  return { graph, calls, failing, holidays };
}
