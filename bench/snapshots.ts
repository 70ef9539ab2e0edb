/**
 * The compute assets downstream of ingest, timed one by one on a store built once:
 * financial_scores, the sector/industry aggregates, fintra_snapshots and market_state.
 *
 *   npx tsx bench/snapshots.ts --tickers 5000            # builds fintra_snap_5000 once, then times
 *   node --cpu-prof --import tsx bench/snapshots.ts --tickers 5000 --assets fintra_snapshots
 *   npx tsx bench/snapshots.ts --tickers 2000 --scope 1  # a one-ticker run of each asset
 *   npx tsx bench/snapshots.ts --tickers 1000 --hash     # md5 of each table's rows of the day
 *
 * The store is a Postgres schema (DATABASE_URL, else the local server) named after the
 * size, kept between runs: the first run backfills a year of prices and materializes the
 * daily graph (all but the weekly SEC assets) on the sandbox market; later runs reuse it
 * (`--rebuild` starts over, `--drop` removes it). Each timed asset is forced for the day the
 * store was built for, in dependency order, so it reads what the graph wrote. The schema's
 * tables are vacuumed and analyzed first, and the stage and the asset's table before each
 * asset: a server without autovacuum would otherwise slow every rerun with dead rows.
 */
import { parseArgs } from "node:util";
import { format, subDays, subYears } from "date-fns";
import postgres from "postgres";
import { graph } from "../assets/index.ts";
import { openStore } from "../db/index.ts";
import { backfill } from "../runtime/backfill.ts";
import { materialize } from "../runtime/materialize.ts";
import { parseDate, utcDate } from "../runtime/partitions.ts";
import { lazySec, type Resources } from "../runtime/resources.ts";
import { measure, printFigures, type StageFigures } from "./measure.ts";
import {
  BENCH_DATABASE_URL,
  benchMarket,
  benchResources,
  dropSchemas,
  startBenchSandbox,
} from "./scratch.ts";

/** The assets timed, in dependency order. */
const TIMED = [
  "financial_scores",
  "sector_pe",
  "industry_pe",
  "sector_benchmarks",
  "industry_benchmarks",
  "sector_stats",
  "industry_stats",
  "fintra_snapshots",
  "market_state",
];

/** Each timed table's rows of the day, without run stamps, for `--hash`. */
const HASHED: { table: string; date: string; order: string; drop?: string[] }[] = [
  { table: "financial_scores", date: "score_date", order: "ticker" },
  { table: "sector_pe", date: "pe_date", order: "sector" },
  { table: "industry_pe", date: "pe_date", order: "industry" },
  { table: "sector_benchmarks", date: "snapshot_date", order: "group_type, sector, metric" },
  { table: "industry_benchmarks", date: "snapshot_date", order: "industry, metric" },
  { table: "sector_stats", date: "stats_date", order: "sector, metric" },
  { table: "industry_stats", date: "stats_date", order: "industry, metric" },
  { table: "fintra_snapshots", date: "snapshot_date", order: "ticker", drop: ["updated_at"] },
  { table: "market_state", date: "snapshot_date", order: "ticker", drop: ["updated_at"] },
];

const { values } = parseArgs({
  options: {
    tickers: { type: "string", default: "2500" },
    years: { type: "string", default: "1" },
    assets: { type: "string", default: TIMED.join(",") },
    scope: { type: "string" },
    hash: { type: "boolean", default: false },
    rebuild: { type: "boolean", default: false },
    drop: { type: "boolean", default: false },
    repeat: { type: "string", default: "1" },
  },
});
const tickers = Number(values.tickers);
const years = Number(values.years);
const url = BENCH_DATABASE_URL;
const schema = `fintra_snap_${tickers}`;

if (values.rebuild || values.drop) await dropSchemas(url, schema);
if (values.drop) process.exit(0);
const admin = postgres(url, { max: 1, onnotice: () => {} });

/** The day the store holds a finished graph for, or null. */
async function builtDay(): Promise<string | null> {
  const rows = await admin.unsafe(
    `SELECT max(snapshot_date)::text AS day FROM "${schema}".fintra_snapshots`,
  );
  return (rows[0]?.day as string | null) ?? null;
}

const store = await openStore({ databaseUrl: url, schema });
const figures: StageFigures[] = [];
try {
  await store.migrate();
  let day = await builtDay();
  if (!day) {
    const now = new Date();
    const market = benchMarket(tickers, years, utcDate(now));
    const sandbox = await startBenchSandbox(market);
    try {
      const resources = benchResources(store, sandbox.fmp, () => now);
      const built = market.latestTradingDay(market.asOf);
      const from = format(subDays(subYears(parseDate(built), years), 7), "yyyy-MM-dd");
      console.log(`building ${schema}: ${market.tickers.length} instruments, ${from}..${built}`);
      figures.push(
        await measure(`build: price history (${years}y)`, "postgres", async () => {
          const s = await backfill(graph, "fintra_universe,datos_eod", resources, {
            from,
            to: built,
          });
          return s.days.reduce((n, d) => n + d.rows, 0);
        }),
      );
      const selection = "+market_state,+industry_stats,+industry_benchmarks,+industry_pe";
      figures.push(
        await measure("build: daily graph", "postgres", async () => {
          const s = await materialize(graph, selection, resources, {
            partition: built,
            concurrency: 2,
          });
          const failed = s.outcomes.filter((o) => o.status !== "succeeded" && o.status !== "fresh");
          if (failed.length > 0)
            throw new Error(`build failed: ${failed.map((o) => `${o.asset}: ${o.reason}`)}`);
          return s.outcomes.reduce((n, o) => n + (o.rows ?? 0), 0);
        }),
      );
    } finally {
      await sandbox.close();
    }
    day = await builtDay();
  }
  if (!day) throw new Error("the store holds no snapshot day");

  const resources: Resources = {
    db: store,
    sec: lazySec(process.env),
    fmp: () => {
      throw new Error("the timed assets never call FMP");
    },
    now: () => new Date(),
  };
  let scope: { tickers: string[] } | null = null;
  if (values.scope) {
    const n = Number(values.scope);
    const picked = await admin.unsafe(
      `SELECT ticker FROM "${schema}".fintra_snapshots WHERE snapshot_date = $1 AND fgos_status = 'computed' ORDER BY ticker LIMIT $2`,
      [day, Number.isInteger(n) && n > 0 ? n : 1],
    );
    scope = { tickers: picked.map((r) => r.ticker as string) };
    console.log(`scope: ${scope.tickers.join(", ")}`);
  }
  // The local server may run without autovacuum: every forced run leaves the day's old rows
  // and the cleared stage behind as dead tuples, which would slow each run after it.
  const vacuum = async (tables: string[]) => {
    for (const t of tables) await admin.unsafe(`VACUUM ANALYZE "${schema}"."${t}"`);
  };
  const tables = await admin.unsafe(
    `SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`,
    [schema],
  );
  await vacuum(tables.map((t) => t.tablename as string));
  const wanted = values.assets.split(",").filter(Boolean);
  for (let round = 0; round < Number(values.repeat); round++) {
    for (const key of wanted) {
      await vacuum(["fintra_staged_rows", "fintra_staged_publishes", key]);
      let status = "";
      const cpu = process.cpuUsage();
      const f = await measure(key, "postgres", async () => {
        const s = await materialize(graph, key, resources, {
          partition: day as string,
          force: true,
          scope,
        });
        const o = s.outcomes[0];
        status = o?.status ?? "?";
        if (status !== "succeeded") console.error(`${key}: ${status} ${o?.reason}`);
        return o?.rows ?? 0;
      });
      const used = process.cpuUsage(cpu);
      const cpuSeconds = ((used.user + used.system) / 1e6).toFixed(1);
      figures.push({
        ...f,
        stage: `${key}${scope ? " (scoped)" : ""} ${status}, cpu ${cpuSeconds} s`,
      });
    }
  }
  if (values.hash) {
    for (const h of HASHED) {
      const columns = await admin.unsafe(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
        [schema, h.table],
      );
      const kept = columns
        .map((c) => c.column_name as string)
        .filter((c) => !(h.drop ?? []).includes(c));
      const rows = await admin.unsafe(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY ${h.order}), '')) AS md5
         FROM (SELECT ${kept.map((c) => `"${c}"`).join(", ")} FROM "${schema}"."${h.table}"
               WHERE "${h.date}" = $1) r`,
        [day],
      );
      console.log(`hash ${h.table.padEnd(20)} ${String(rows[0]?.n).padStart(7)} ${rows[0]?.md5}`);
    }
  }
  console.log(`day ${day}, schema ${schema}`);
} finally {
  await store.close();
  await admin.end();
}
printFigures(figures);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
