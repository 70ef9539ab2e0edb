/** Shared set-up of the aggregate tests: a ticking clock, a short price backfill, the ledger. */
import { expect } from "vitest";
import type { Store } from "../../../db/index.ts";
import { backfill } from "../../../runtime/backfill.ts";
import type { AssetDefinition } from "../../../runtime/define.ts";
import { AssetGraph } from "../../../runtime/graph.ts";
import type { Resources } from "../../../runtime/resources.ts";
import { marketResources, type TestMarket } from "../../helpers/sandbox.ts";

/**
 * The market's evening, one second later at each reading: runs that stamp rows with the
 * clock (datos_financieros, datos_valuacion_ttm) get a stamp of their own.
 */
export function tickingResources(store: Store, market: TestMarket): Resources {
  const base = marketResources(store, market);
  let tick = 0;
  const start = base.now().getTime();
  return { ...base, now: () => new Date(start + 1000 * tick++) };
}

/**
 * Backfills fintra_universe and datos_eod over the last 8 days of each month from `from`
 * (a YYYY-MM) to the month before `day`, then `day` itself. Quarter ends are month ends or
 * the Saturday before one, so every quarter end in that span gets its close, in a fraction
 * of the time a whole half year of dates takes.
 */
export async function backfillMonthEnds(
  assets: AssetDefinition[],
  resources: Resources,
  from: string,
  day: string,
): Promise<void> {
  const graph = new AssetGraph(assets);
  let [year, month] = from.split("-").map(Number) as [number, number];
  const ranges: [string, string][] = [];
  while (`${year}-${String(month).padStart(2, "0")}` < day.slice(0, 7)) {
    const last = new Date(Date.UTC(year, month, 0));
    const first = new Date(last.getTime() - 8 * 86_400_000);
    ranges.push([first.toISOString().slice(0, 10), last.toISOString().slice(0, 10)]);
    month = month === 12 ? 1 : month + 1;
    if (month === 1) year++;
  }
  ranges.push([day, day]);
  for (const [start, end] of ranges) {
    // A range of only a weekend has no trading dates; backfill refuses it.
    const summary = await backfill(graph, "fintra_universe,datos_eod", resources, {
      from: start,
      to: end,
    }).catch((error: Error) => {
      if (/no trading dates/.test(error.message)) return null;
      throw error;
    });
    if (summary) expect(summary.exitCode).toBe(0);
  }
}

/** The newest materialization of an asset. */
export async function lastRun(store: Store, asset: string) {
  const [m] = await store.ledger.history({ asset, limit: 1 });
  if (!m) throw new Error(`no ${asset} run`);
  return m;
}
