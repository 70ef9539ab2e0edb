/**
 * npm run bench:ingest: datos_eod history and datos_financieros at 5,000
 * tickers on the sandbox market, on PGlite and on Postgres (DATABASE_URL,
 * else the local server when it answers; each run in a fresh schema).
 *
 *   npm run bench:ingest -- --tickers 5000 --days 252
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { graph } from "../assets/index.ts";
import { openStore, type Store } from "../db/index.ts";
import { backfill } from "../runtime/backfill.ts";
import { materialize } from "../runtime/materialize.ts";
import { utcDate } from "../runtime/partitions.ts";
import { lazySec } from "../runtime/resources.ts";
import { createFmpClient } from "../sources/fmp/index.ts";
import {
  createSandboxMarket,
  SANDBOX_API_KEY,
  startSandboxServer,
} from "../sources/sandbox/index.ts";
import { measure, printFigures, type StageFigures } from "./measure.ts";

const { values } = parseArgs({
  options: {
    tickers: { type: "string", default: "5000" },
    days: { type: "string", default: "252" },
    backends: { type: "string", default: "pglite,postgres" },
  },
});
const tickers = Number(values.tickers);
const days = Number(values.days);
const LOCAL_PG = "postgres://127.0.0.1:5432/test";

async function postgresUrl(): Promise<string | null> {
  const url = process.env.DATABASE_URL ?? LOCAL_PG;
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return url;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const now = new Date();
const market = createSandboxMarket({ tickers, seed: 42, asOf: utcDate(now) });
const server = await startSandboxServer({ market });
const fmp = createFmpClient({
  apiKey: SANDBOX_API_KEY,
  baseUrl: server.url,
  ratePerMinute: 1_000_000,
});
const day = market.latestTradingDay(market.asOf);
const trading = market.tradingDays("1900-01-01", day);
const from = trading[Math.max(0, trading.length - days)] as string;
console.log(
  `sandbox: ${market.tickers.length} instruments; prices ${from}..${day} (${days} trading days)\n`,
);

const figures: StageFigures[] = [];
for (const backend of values.backends.split(",")) {
  let store: Store;
  let cleanup: () => Promise<void>;
  if (backend === "postgres") {
    const url = await postgresUrl();
    if (!url) {
      console.log("postgres: no server answers (set DATABASE_URL); skipped");
      continue;
    }
    const schema = `fintra_bench_${Date.now()}`;
    store = await openStore({ databaseUrl: url, schema });
    cleanup = async () => {
      const sql = postgres(url, { onnotice: () => {} });
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), "fintra-bench-"));
    store = await openStore({ pgliteDir: dir });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  try {
    await store.migrate();
    const resources = { db: store, fmp: () => fmp, sec: lazySec(process.env), now: () => now };
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
    await store.close();
    await cleanup();
  }
}
await server.close();
printFigures(figures);
