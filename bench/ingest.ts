/**
 * npm run bench:ingest: datos_eod history and datos_financieros at 5,000
 * tickers on the sandbox market, on PGlite and on Postgres (DATABASE_URL,
 * else the local server when it answers; each run in a fresh schema).
 *
 *   npm run bench:ingest -- --tickers 5000 --days 252
 */
import { parseArgs } from "node:util";
import { graph } from "../assets/index.ts";
import { backfill } from "../runtime/backfill.ts";
import { materialize } from "../runtime/materialize.ts";
import { utcDate } from "../runtime/partitions.ts";
import { createSandboxMarket } from "../sources/sandbox/index.ts";
import { measure, printFigures, type StageFigures } from "./measure.ts";
import {
  BENCH_DATABASE_URL,
  benchResources,
  openScratchStore,
  postgresError,
  startBenchSandbox,
} from "./scratch.ts";

const { values } = parseArgs({
  options: {
    tickers: { type: "string", default: "5000" },
    days: { type: "string", default: "252" },
    backends: { type: "string", default: "pglite,postgres" },
  },
});
const tickers = Number(values.tickers);
const days = Number(values.days);
const now = new Date();
const market = createSandboxMarket({ tickers, seed: 42, asOf: utcDate(now) });
const sandbox = await startBenchSandbox(market);
const day = market.latestTradingDay(market.asOf);
const trading = market.tradingDays("1900-01-01", day);
const from = trading[Math.max(0, trading.length - days)] as string;
console.log(
  `sandbox: ${market.tickers.length} instruments; prices ${from}..${day} (${days} trading days)\n`,
);

const figures: StageFigures[] = [];
for (const backend of values.backends.split(",")) {
  if (backend === "postgres" && (await postgresError(BENCH_DATABASE_URL)) !== null) {
    console.log("postgres: no server answers (set DATABASE_URL); skipped");
    continue;
  }
  const scratch = await openScratchStore(backend === "postgres" ? "postgres" : "pglite", "ingest");
  try {
    await scratch.store.migrate();
    const resources = benchResources(scratch.store, sandbox.fmp, () => now);
    figures.push(
      await measure("fintra_universe", backend, async () => {
        const s = await materialize(graph, "fintra_universe", resources, { partition: day });
        return s.outcomes[0]?.rows ?? 0;
      }),
    );
    figures.push(
      await measure(`datos_eod history (${days} days)`, backend, async () => {
        const s = await backfill(graph, "datos_eod", resources, { from, to: day });
        if (s.exitCode === 1)
          throw new Error(
            `backfill failed: ${JSON.stringify(s.days.find((d) => d.status === "failed"))}`,
          );
        return s.days.reduce((n, d) => n + d.rows, 0);
      }),
    );
    if (graph.assets.has("datos_financieros")) {
      figures.push(
        await measure("datos_financieros (full history)", backend, async () => {
          const s = await materialize(graph, "datos_financieros", resources, { partition: day });
          const outcome = s.outcomes[0];
          if (outcome?.status !== "succeeded")
            throw new Error(`datos_financieros: ${outcome?.reason}`);
          return outcome.rows ?? 0;
        }),
      );
    }
  } finally {
    await scratch.dispose();
  }
}
await sandbox.close();
printFigures(figures);
