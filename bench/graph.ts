/**
 * npm run bench:graph: the whole daily graph at 5,000 tickers on the sandbox
 * market, on Postgres (DATABASE_URL, else the local server; a fresh schema,
 * dropped afterwards) or PGlite (--backend pglite): seconds, rows and rows/s
 * per asset for the day, after a price history backfill.
 *
 *   npm run bench:graph -- --tickers 5000 --years 1 --backend postgres
 */
import { parseArgs } from "node:util";
import { format, subDays, subYears } from "date-fns";
import { graph } from "../assets/index.ts";
import { backfill } from "../runtime/backfill.ts";
import { materialize } from "../runtime/materialize.ts";
import { parseDate, utcDate } from "../runtime/partitions.ts";
import { measure, printFigures, type StageFigures } from "./measure.ts";
import { benchMarket, benchResources, openScratchStore, startBenchSandbox } from "./scratch.ts";

const { values } = parseArgs({
  options: {
    tickers: { type: "string", default: "5000" },
    years: { type: "string", default: "1" },
    backend: { type: "string", default: "postgres" },
  },
});
const tickers = Number(values.tickers);
const years = Number(values.years);

const now = new Date();
const market = benchMarket(tickers, years, utcDate(now));
const sandbox = await startBenchSandbox(market);
const day = market.latestTradingDay(market.asOf);
const from = format(subDays(subYears(parseDate(day), years), 7), "yyyy-MM-dd");
const scratch = await openScratchStore(
  values.backend === "pglite" ? "pglite" : "postgres",
  "graph",
);
const figures: StageFigures[] = [];
try {
  await scratch.store.migrate();
  const resources = benchResources(scratch.store, sandbox.fmp, () => now);
  console.log(`${values.backend}: ${market.tickers.length} instruments, prices ${from}..${day}\n`);
  figures.push(
    await measure(`price history (${years}y)`, values.backend, async () => {
      const s = await backfill(graph, "fintra_universe,datos_eod", resources, { from, to: day });
      return s.days.reduce((n, d) => n + d.rows, 0);
    }),
  );
  const started = performance.now();
  const summary = await materialize(graph, "*", resources, { partition: day, concurrency: 2 });
  const total = (performance.now() - started) / 1000;
  for (const o of summary.outcomes) {
    figures.push({
      stage: `${o.asset} (${o.status})`,
      backend: values.backend,
      rows: o.rows ?? 0,
      seconds: o.seconds,
      rowsPerSecond: o.seconds > 0 ? (o.rows ?? 0) / o.seconds : 0,
      peakRssMb: process.memoryUsage().rss / 1024 / 1024,
    });
  }
  const rows = summary.outcomes.reduce((n, o) => n + (o.rows ?? 0), 0);
  figures.push({
    stage: "whole graph for the day",
    backend: values.backend,
    rows,
    seconds: total,
    rowsPerSecond: rows / total,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  });
} finally {
  await scratch.dispose();
  await sandbox.close();
}
printFigures(figures);
