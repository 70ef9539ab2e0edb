/**
 * The price-history assets on their own: datos_performance, sector_performance,
 * industry_performance and performance_windows, each forced for the latest trading day of a
 * sandbox market after a price backfill. Prints seconds, rows, rows read and peak RSS per
 * asset, an md5 of each table's rows for the day (to compare two versions of the code), and
 * a scoped run (one ticker) of the four.
 *
 *   npx tsx bench/performance.ts --tickers 2500 --years 1            # Postgres (DATABASE_URL or local)
 *   npx tsx bench/performance.ts --tickers 1500 --years 2 --backend pglite
 *   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/performance.ts --tickers 5000
 *   npx tsx bench/performance.ts --summarize /tmp/prof/<file>.cpuprofile   # self time per function
 *
 * The store is kept between runs (a Postgres schema or a PGlite folder named after the size
 * and the day), so only the first run of a size pays for the backfill; --rebuild starts
 * over, --drop removes it afterwards. The clock is fixed (--asof), so the same size always
 * yields the same market and the same rows.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { format, subDays, subYears } from "date-fns";
import postgres from "postgres";
import { graph } from "../assets/index.ts";
import { openStore, type Store, type TableSpec } from "../db/index.ts";
import { backfill } from "../runtime/backfill.ts";
import { materialize } from "../runtime/materialize.ts";
import { parseDate } from "../runtime/partitions.ts";
import { lazySec } from "../runtime/resources.ts";
import { createSandboxMarket } from "../sources/sandbox/index.ts";
import {
  BENCH_DATABASE_URL,
  benchMarket,
  benchResources,
  dropSchemas,
  startBenchSandbox,
} from "./scratch.ts";

const { values } = parseArgs({
  options: {
    tickers: { type: "string", default: "2500" },
    years: { type: "string", default: "1" },
    backend: { type: "string", default: "postgres" },
    asof: { type: "string", default: "2026-11-27" },
    assets: {
      type: "string",
      default: "datos_performance,sector_performance,industry_performance,performance_windows",
    },
    scoped: { type: "string", default: "AAPL" },
    runs: { type: "string", default: "1" },
    rebuild: { type: "boolean", default: false },
    base: { type: "string" },
    drop: { type: "boolean", default: false },
    "no-hash": { type: "boolean", default: false },
    summarize: { type: "string" },
    top: { type: "string", default: "25" },
  },
});

/** Self time per function (name, file:line) of a V8 .cpuprofile, largest first. */
function summarizeProfile(path: string, top: number): void {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }
  const profile = JSON.parse(readFileSync(path, "utf8")) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const frame = byId.get(id)?.callFrame;
    const file = frame?.url.replace(/^.*\/work\/main\//, "").replace(/^.*node_modules\//, "~/");
    const name = frame
      ? `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : ""}`
      : "?";
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`total ${(total / 1e6).toFixed(1)} s sampled`);
  for (const [name, us] of rows)
    console.log(
      `${(us / 1e6).toFixed(2).padStart(8)} s ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`,
    );
}

if (values.summarize) {
  summarizeProfile(values.summarize, Number(values.top));
  process.exit(0);
}

const tickers = Number(values.tickers);
const years = Number(values.years);
const backend = values.backend as "postgres" | "pglite";
const asOf = values.asof as string;
const now = new Date(`${asOf}T23:00:00Z`);
const name = `fintra_bench_perf_${tickers}_${years}y_${asOf.replaceAll("-", "")}`;
const url = BENCH_DATABASE_URL;
const pgliteDir = join(tmpdir(), name);

/** Rows each table yielded to readers, and rows of read-only SQL. */
const rowsRead = new Map<string, number>();
const addRead = (table: string, n: number) => rowsRead.set(table, (rowsRead.get(table) ?? 0) + n);
/** Database CPU seconds of the write calls (stage, publish, ...), which run alone. */
const writeCpu = new Map<string, number>();
/** Wall seconds spent waiting on each Store call (per method and table). */
const waited = new Map<string, number>();
const addWait = (what: string, since: number) =>
  waited.set(what, (waited.get(what) ?? 0) + (performance.now() - since) / 1000);

/** The store with every read counted per table and every call timed (ledger calls are not). */
function counting(store: Store): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "read")
        return async function* <Row extends object>(table: TableSpec<Row>, query: unknown) {
          const pages = target.read(table, query as never)[Symbol.asyncIterator]();
          for (;;) {
            const t = performance.now();
            const next = await pages.next();
            addWait(`read ${table.name}`, t);
            if (next.done) return;
            addRead(table.name, next.value.length);
            yield next.value;
          }
        };
      if (prop === "readAll")
        return async <Row extends object>(table: TableSpec<Row>, query: unknown) => {
          const t = performance.now();
          const rows = await target.readAll(table, query as never);
          addWait(`read ${table.name}`, t);
          addRead(table.name, rows.length);
          return rows;
        };
      if (prop === "readOnlyQuery")
        return async (text: string) => {
          const t = performance.now();
          const rows = await target.readOnlyQuery(text);
          addWait("sql", t);
          addRead("(sql)", rows.length);
          return rows;
        };
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "stage" || prop === "publish" || prop === "upsert" || prop === "delete")
        return async (table: TableSpec, ...args: unknown[]) => {
          const t = performance.now();
          const cpu = await dbCpuSeconds();
          try {
            return await value.call(target, table, ...args);
          } finally {
            addWait(`${String(prop)} ${table.name}`, t);
            const what = `${String(prop)} ${table.name} (db cpu)`;
            writeCpu.set(what, (writeCpu.get(what) ?? 0) + (await dbCpuSeconds()) - cpu);
          }
        };
      return value.bind(target);
    },
  });
}

async function openBench(): Promise<Store> {
  if (backend === "pglite") {
    if (values.rebuild) rmSync(pgliteDir, { recursive: true, force: true });
    mkdirSync(pgliteDir, { recursive: true });
    return openStore({ pgliteDir });
  }
  if (values.rebuild) await dropSchemas(url, name);
  return openStore({ databaseUrl: url, schema: name });
}

/** The whole market is made only to build a store (a one-ticker one knows the calendar). */
const makeMarket = () => benchMarket(tickers, years, asOf);
const day = createSandboxMarket({ tickers: 1, asOf, historyYears: 1 }).latestTradingDay(asOf);
const from = format(subDays(subYears(parseDate(day), years), 7), "yyyy-MM-dd");

async function built(store: Store): Promise<boolean> {
  const done = await store.ledger.succeededPartitions("datos_eod", day, day);
  if (!done.has(day)) return false;
  const rows = await store.readOnlyQuery("SELECT count(*)::int AS n FROM asset_industry_map");
  return Number(rows[0]?.n ?? 0) > 0;
}

async function build(store: Store): Promise<void> {
  const sandbox = await startBenchSandbox(makeMarket());
  try {
    const resources = benchResources(store, sandbox.fmp, () => now);
    const started = performance.now();
    const history = await backfill(graph, "fintra_universe,datos_eod", resources, {
      from,
      to: day,
    });
    if (history.exitCode === 1) throw new Error("price backfill failed");
    const maps = await materialize(
      graph,
      "company_profiles,industry_classification,asset_industry_map",
      resources,
      { partition: day },
    );
    if (maps.exitCode !== 0) throw new Error(`classification failed: ${JSON.stringify(maps)}`);
    // Stock Postgres analyzes a table this size on its own (autovacuum); this server does not.
    if (backend === "postgres") await analyzePrices();
    console.log(`built ${name} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await sandbox.close();
  }
}

async function analyzePrices(): Promise<void> {
  const sql = postgres(url, { onnotice: () => {}, max: 1 });
  await sql.unsafe(`ANALYZE "${name}"."datos_eod"`);
  await sql.end();
}

async function vacuumStage(): Promise<void> {
  const sql = postgres(url, { onnotice: () => {}, max: 1 });
  const [row] = await sql`SELECT to_regclass(${`"${name}".fintra_staged_rows`})::text AS t`;
  if (row?.t) await sql.unsafe(`VACUUM "${name}".fintra_staged_rows`);
  await sql.end();
}

/** What a derived store copies from its base: the tables the four assets read, and their runs. */
const DERIVED_TABLES = [
  "fintra_universe",
  "company_profiles",
  "industry_classification",
  "asset_industry_map",
  "datos_eod",
];

/**
 * Builds this store from a larger one of the same day (--base: a schema this bench built,
 * e.g. fintra_bench_perf_10000_2y_20261127) instead of backfilling: `tickers` of its symbols
 * (SPY and AAPL, then an even spread: md5 order) and their closes from `from`, the taxonomy,
 * and the base's successful runs of those assets, so the gate lets the four assets run.
 * Minutes instead of a backfill's half hour on this shared machine. Postgres only.
 */
async function derive(base: string): Promise<void> {
  const sql = postgres(url, { onnotice: () => {}, max: 1 });
  const started = performance.now();
  try {
    await sql.begin(async (tx) => {
      const q = (text: string) => tx.unsafe(text);
      const b = (t: string) => `"${base}"."${t}"`;
      const n = (t: string) => `"${name}"."${t}"`;
      await q(`CREATE TEMP TABLE picked ON COMMIT DROP AS
        SELECT ticker FROM ${b("fintra_universe")}
        ORDER BY (ticker IN ('SPY', 'AAPL')) DESC, md5(ticker) LIMIT ${tickers}`);
      for (const table of DERIVED_TABLES) {
        const cols = await tx`SELECT column_name FROM information_schema.columns
          WHERE table_schema = ${name} AND table_name = ${table}
            AND column_name IN (SELECT column_name FROM information_schema.columns
                                WHERE table_schema = ${base} AND table_name = ${table})`;
        const list = cols.map((c) => `"${c.column_name}"`).join(", ");
        const where = [
          ...(cols.some((c) => c.column_name === "ticker")
            ? ["ticker IN (SELECT ticker FROM picked)"]
            : []),
          ...(table === "datos_eod" ? [`price_date >= DATE '${from}'`] : []),
        ];
        await q(`INSERT INTO ${n(table)} (${list}) SELECT ${list} FROM ${b(table)}
          ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ON CONFLICT DO NOTHING`);
      }
      await q(`INSERT INTO ${n("fintra_materializations")} SELECT * FROM ${b("fintra_materializations")}
        WHERE status = 'succeeded' AND asset IN (${DERIVED_TABLES.map((t) => `'${t}'`).join(", ")})
        ON CONFLICT DO NOTHING`);
    });
  } finally {
    await sql.end();
  }
  await analyzePrices();
  console.log(
    `derived ${name} from ${base} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

/** md5 of a table's declared columns over the day's rows in key order (run stamps are not declared). */
async function tableHash(store: Store, table: TableSpec, dateColumn: string): Promise<string> {
  const cols = Object.keys(table.columns)
    .map((c) => `"${c}"`)
    .join(", ");
  const key = table.key.map((c) => `"${c}"`).join(", ");
  const rows = await store.readOnlyQuery(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY ${key}), '')) AS h
     FROM (SELECT ${cols}, ROW(${cols}) AS r FROM "${table.name}" WHERE "${dateColumn}" = '${day}') t`,
  );
  return `${rows[0]?.h} (${rows[0]?.n} rows)`;
}

/**
 * CPU seconds (user + system) the Postgres backends serving this process have used so far:
 * the machine is shared, so wall-clock seconds alone do not compare two runs. The backends
 * are found by this process's TCP ports (pg_stat_activity.client_port). 0 on PGlite, whose
 * work is this process's own CPU time.
 */
async function dbCpuSeconds(): Promise<number> {
  if (backend !== "postgres") return 0;
  const inodes = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ["/proc/self/net/tcp", "/proc/self/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9] as string))
        ports.push(Number.parseInt((f[1] as string).split(":")[1] as string, 16));
    }
  }
  if (ports.length === 0) return 0;
  const rows = await raw.readOnlyQuery(
    `SELECT pid FROM pg_stat_activity WHERE client_port IN (${ports.join(",")})`,
  );
  const tick = 100; // USER_HZ
  let total = 0;
  for (const r of rows) {
    try {
      const stat = readFileSync(`/proc/${r.pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      // backend gone
    }
  }
  return total;
}

/** Pooled connections open and close: CPU of backends seen at start or end of a stage. */
async function cpuNow(): Promise<{ node: number; db: number }> {
  const u = process.cpuUsage();
  return { node: (u.user + u.system) / 1e6, db: await dbCpuSeconds() };
}

interface AssetFigure {
  asset: string;
  seconds: number;
  nodeCpu: number;
  dbCpu: number;
  rows: number;
  read: string;
  waits: string;
  peakRssMb: number;
}

async function timeAsset(
  store: Store,
  key: string,
  scope: { tickers: string[] } | null,
): Promise<AssetFigure> {
  rowsRead.clear();
  waited.clear();
  writeCpu.clear();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const resources = {
    db: store,
    sec: lazySec(process.env),
    fmp: () => {
      throw new Error("no FMP in this bench stage");
    },
    now: () => now,
  };
  const cpu0 = await cpuNow();
  try {
    const summary = await materialize(graph, key, resources, {
      partition: day,
      force: true,
      ...(scope ? { scope } : {}),
    });
    const outcome = summary.outcomes[0];
    if (outcome?.status !== "succeeded")
      throw new Error(`${key}: ${outcome?.status} ${outcome?.reason}`);
    const cpu1 = await cpuNow();
    return {
      asset: key,
      seconds: outcome.seconds,
      nodeCpu: cpu1.node - cpu0.node,
      dbCpu: cpu1.db - cpu0.db,
      rows: outcome.rows ?? 0,
      read: [...rowsRead.entries()].map(([t, n]) => `${t} ${n}`).join(", "),
      waits: [...waited.entries(), ...writeCpu.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([w, n]) => `${w} ${n.toFixed(2)}`)
        .join(", "),
      peakRssMb: Math.max(peak, process.memoryUsage().rss) / 1024 / 1024,
    };
  } finally {
    clearInterval(timer);
  }
}

function print(title: string, figures: AssetFigure[]): void {
  console.log(`\n${title}`);
  for (const f of figures)
    console.log(
      `  ${f.asset.padEnd(22)} ${f.seconds.toFixed(2).padStart(7)} s  cpu node ${f.nodeCpu.toFixed(2).padStart(6)} s db ${f.dbCpu.toFixed(2).padStart(6)} s  ${String(f.rows).padStart(8)} rows  RSS ${f.peakRssMb.toFixed(0).padStart(5)} MB  read: ${f.read}\n${" ".repeat(26)}store calls (s): ${f.waits}`,
    );
}

/**
 * Migrates a kept store. A migration edited since this store applied it (one still being
 * written in the working tree) is applied again: its record is dropped and migrate rerun.
 * Bench stores only, on Postgres.
 */
async function migrateBench(store: Store): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await store.migrate();
      return;
    } catch (error) {
      const edited = /migration (\S+) was edited after it was applied/.exec(String(error));
      if (!edited || backend !== "postgres" || attempt > 5) throw error;
      console.log(`(re-applying ${edited[1]}, edited since this bench store applied it)`);
      const sql = postgres(url, { onnotice: () => {}, connection: { search_path: name } });
      await sql`DELETE FROM fintra_migrations WHERE name = ${edited[1] as string}`;
      await sql.end();
    }
  }
}

/**
 * Deletes the day's rows of the four tables, so every run writes them afresh (as a new
 * day does) and the hashes are of rows this code wrote, not of rows a publish left alone.
 */
async function clearDay(): Promise<void> {
  const tables = [
    ["datos_performance", "performance_date"],
    ["sector_performance", "performance_date"],
    ["industry_performance", "performance_date"],
    ["performance_windows", "as_of_date"],
  ];
  if (backend === "postgres") {
    const sql = postgres(url, { onnotice: () => {}, connection: { search_path: name } });
    for (const [table, column] of tables)
      await sql.unsafe(`DELETE FROM "${table}" WHERE "${column}" = $1`, [day]);
    await sql.end();
    return;
  }
  const { datosPerformanceTable } = await import("../assets/performance/datos_performance.ts");
  const { sectorPerformanceTable } = await import("../assets/performance/sector_performance.ts");
  const { industryPerformanceTable } = await import(
    "../assets/performance/industry_performance.ts"
  );
  const { performanceWindowsTable } = await import("../assets/performance/performance_windows.ts");
  await raw.delete(datosPerformanceTable, { performance_date: day });
  await raw.delete(sectorPerformanceTable, { performance_date: day });
  await raw.delete(industryPerformanceTable, { performance_date: day });
  await raw.delete(performanceWindowsTable, { as_of_date: day });
}

const raw = await openBench();
const store = counting(raw);
try {
  await migrateBench(raw);
  if (!(await built(raw))) await (values.base ? derive(values.base) : build(raw));
  // Autovacuum is off on this server: the jsonb stage of earlier runs (0031) would otherwise
  // leave a bloated table that every publish scans (~0.8 s per publish at 10,000 tickers).
  if (backend === "postgres") await vacuumStage();
  const eod = await raw.readOnlyQuery(
    `SELECT count(*)::int AS n, count(DISTINCT ticker)::int AS t FROM datos_eod`,
  );
  console.log(
    `${backend} ${name}: ${eod[0]?.t} symbols, ${eod[0]?.n} closes ${from}..${day}; node ${process.version}`,
  );
  const keys = (values.assets as string).split(",");
  for (let run = 1; run <= Number(values.runs); run++) {
    await clearDay();
    const figures: AssetFigure[] = [];
    for (const key of keys) figures.push(await timeAsset(store, key, null));
    const total = figures.reduce((s, f) => s + f.seconds, 0);
    print(`full day ${day}, run ${run} (${total.toFixed(1)} s)`, figures);
  }
  if (!values["no-hash"]) {
    const { datosPerformanceTable } = await import("../assets/performance/datos_performance.ts");
    const { sectorPerformanceTable } = await import("../assets/performance/sector_performance.ts");
    const { industryPerformanceTable } = await import(
      "../assets/performance/industry_performance.ts"
    );
    const { performanceWindowsTable } = await import(
      "../assets/performance/performance_windows.ts"
    );
    console.log("\ntable hashes (declared columns, key order, the day's rows)");
    for (const [table, column] of [
      [datosPerformanceTable, "performance_date"],
      [sectorPerformanceTable, "performance_date"],
      [industryPerformanceTable, "performance_date"],
      [performanceWindowsTable, "as_of_date"],
    ] as [TableSpec, string][])
      console.log(`  ${table.name.padEnd(22)} ${await tableHash(raw, table, column)}`);
  }
  if (values.scoped) {
    const scope = { tickers: (values.scoped as string).split(",") };
    const figures: AssetFigure[] = [];
    for (const key of keys) figures.push(await timeAsset(store, key, scope));
    const total = figures.reduce((s, f) => s + f.seconds, 0);
    print(`scoped to ${scope.tickers.join(",")}, forced (${total.toFixed(2)} s)`, figures);
  }
  console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await raw.close();
  if (values.drop) {
    if (backend === "pglite") rmSync(pgliteDir, { recursive: true, force: true });
    else await dropSchemas(url, name);
  } else if (backend === "pglite" && !existsSync(pgliteDir)) {
    console.log("(store folder missing)");
  }
}
