/**
 * npm run bench:market: the whole market's day, measured against the machine's floor.
 *
 *   npm run bench:market -- --tickers 45000 --years 5 --backend postgres
 *   npm run bench:market -- --tickers 500 --backend pglite --dry-run
 *
 * 1. Renders the sandbox market's files once into a cache folder (--cache, default
 *    ~/.cache/fintra-bench), keyed by seed, size, years, day and the sandbox's code; prints
 *    how long that took, or "cache hit".
 * 2. Serves the cache from a separate plain-node process (bench/market/static-server.mjs),
 *    FMP-shaped; the pipeline (this process) reads FMP and the SEC documents from it.
 * 3. On Postgres (DATABASE_URL, else postgres://127.0.0.1:5432/test, in a fresh schema
 *    dropped afterwards) or PGlite (a temp folder), measures each stage: the price history
 *    backfill, the cold first day D, the steady next day D+1, a per-ticker whole-graph run
 *    (forced), a rerun of D+1 (must write nothing) and the weekly SEC jobs.
 * 4. Times the operator's pages on the finished store, in process (bench/market/pages.ts):
 *    a page that is not 200 or takes over 300 ms server-side makes the run INVALID.
 *    Then measures the floors in the same run (bench/market/floors.ts) and prints each
 *    stage's ratio to its floor.
 * 5. Writes bench/results/<date>-<backend>-<tickers>t-<years>y.json and adds the run to BENCHMARKS.md
 *    (unless --dry-run). A run that does not reach its end (SIGINT, SIGTERM, a stage that
 *    threw) writes neither, says why and exits non-zero.
 *
 * A request the cache cannot answer is a loud miss and the run exits 1; `--record` fills
 * such gaps by recording them from a live sandbox in this process (that run's figures are
 * not measurements and are not saved).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { constants, cpus, homedir, platform, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { graph } from "../assets/index.ts";
import { lineReporter } from "../cli/progress.ts";
import type { Store } from "../db/index.ts";
import { backfill } from "../runtime/backfill.ts";
import { materialize } from "../runtime/materialize.ts";
import { tradingDaysBetween } from "../runtime/partitions.ts";
import { createSandboxMarket, MAX_TICKERS, startSandboxServer } from "../sources/sandbox/index.ts";
import {
  copyFloor,
  downloadAndParse,
  type FloorDb,
  historyFloor,
  pgliteFloorDb,
  postgresFloorDb,
} from "./market/floors.ts";
import { benchPagePaths, measurePages, pagesApp } from "./market/pages.ts";
import { benchDays } from "./market/plan.ts";
import { recordedRenderSeconds, renderMarket } from "./market/render.ts";
import {
  type BenchReport,
  type FloorResult,
  PAGE_TARGET_MS,
  type PageFigure,
  pageProblems,
  pagesTable,
  resultsPath,
  runMarkdown,
  type StageResult,
  saveRun,
} from "./market/report.ts";
import { type FileServer, startFileServer } from "./market/serve.ts";
import {
  daySelection,
  markWrites,
  outcomeOf,
  SEC_ASSETS,
  type StageOutcome,
  sumAssets,
  writesSince,
} from "./market/stages.ts";
import { FILES_DIR, readIndex } from "./market/static-server.mjs";
import { sampleRss } from "./measure.ts";
import {
  BENCH_DATABASE_URL,
  benchFmp,
  benchResources,
  dropSchemas,
  openScratchStore,
  postgresError,
} from "./scratch.ts";

const { values } = parseArgs({
  options: {
    tickers: { type: "string", default: "2000" },
    years: { type: "string", default: "1" },
    backend: { type: "string", default: "postgres" },
    seed: { type: "string", default: "42" },
    before: { type: "string", default: "2026-12-01" },
    ticker: { type: "string", default: "AAPL" },
    cache: { type: "string" },
    record: { type: "boolean", default: false },
    "render-only": { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`npm run bench:market -- [options]
  --tickers N        market size (default 2000, at most ${MAX_TICKERS})
  --years N          years of price history to backfill (default 1)
  --backend B        postgres (DATABASE_URL, else the local server) or pglite
  --seed N           the sandbox's seed (default 42)
  --before DATE      D and D+1 are the last two trading days before it (default 2026-12-01)
  --ticker T         the per-ticker stage's symbol (default AAPL)
  --cache DIR        cache root (default ~/.cache/fintra-bench)
  --render-only      render the cache and stop
  --record           fill cache misses from a live sandbox in this process (figures not saved)
  --dry-run          print the figures, write neither BENCHMARKS.md nor bench/results
  --keep             keep the store when the run ends (the schema or PGlite folder is printed)
                     to profile a stage again with the fintra CLI; drop it yourself after`);
  process.exit(0);
}

function positive(name: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name} must be a whole number from 1 to ${max}, not "${text}"`);
    process.exit(2);
  }
  return n;
}

const tickers = positive("tickers", values.tickers, MAX_TICKERS);
const years = positive("years", values.years, 30);
const seed = positive("seed", values.seed);
const backend = values.backend;
if (backend !== "postgres" && backend !== "pglite") {
  console.error(`--backend must be postgres or pglite, not "${backend}"`);
  process.exit(2);
}
const record = values.record;
const cacheRoot =
  values.cache ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "fintra-bench");
const days = benchDays((from, to) => tradingDaysBetween(from, to).days, values.before, years);
const ticker = values.ticker.toUpperCase();
const problems: string[] = [];
const loud = (message: string) => {
  problems.push(message);
  console.error(`!! ${message}`);
};

// --- 1. render -------------------------------------------------------------------------
mkdirSync(cacheRoot, { recursive: true });
console.log(
  `bench:market: ${tickers} tickers, ${years} year(s), ${backend}; cold day ${days.day}, steady day ${days.next}; prices ${days.historyFrom}..${days.historyTo}`,
);
const render = await renderMarket({ root: cacheRoot, seed, tickers, years, days, ticker });
// The cache's whole render time (a cache completed now adds to what it took before).
const renderSeconds = recordedRenderSeconds(render.dir);
const renderMb = (render.bytes / 1024 / 1024).toFixed(0);
if (render.rendered === 0) {
  console.log(
    `render: cache hit (${render.entries} files in ${render.dir}; rendered in ${renderSeconds?.toFixed(1) ?? "?"} s when made)`,
  );
} else if (render.rendered === render.entries) {
  console.log(
    `render: ${render.rendered} files (${renderMb} MB) in ${render.seconds.toFixed(1)} s -> ${render.dir}`,
  );
} else {
  console.log(
    `render: completed the cache with ${render.rendered} missing files (${renderMb} MB) in ${render.seconds.toFixed(1)} s; ${render.entries} files, ${renderSeconds?.toFixed(1) ?? "?"} s of rendering in all -> ${render.dir}`,
  );
}
if (render.notServed.length) {
  console.log(
    `render: the sandbox answered ${render.notServed.length} per-ticker request(s) with an error (cached as such): ${render.notServed.join(", ")}`,
  );
}
if (values["render-only"]) process.exit(0);

// --- 2. serve --------------------------------------------------------------------------
let upstream: { url: string; close(): Promise<void> } | null = null;
if (record) {
  const market = createSandboxMarket({ tickers, seed, asOf: days.next, historyYears: years + 1 });
  upstream = await startSandboxServer({ market });
  console.log(
    "!! --record: misses are generated by a sandbox in THIS process and stored; the figures below are not measurements and are not saved",
  );
}
const server: FileServer = await startFileServer(render.dir, upstream?.url);
console.log(`file server: pid ${server.pid}, ${server.entries} answers, ${server.url}`);
const fmp = benchFmp(server.url);

// The pipeline's clock: D+1 at 18:30 New York when the run starts, moving with real time.
const clockStart = Date.parse(`${days.next}T23:30:00Z`);
const realStart = Date.now();
const now = () => new Date(clockStart + (Date.now() - realStart));

// --- 3. database -----------------------------------------------------------------------
interface Backend {
  store: Store;
  version: string;
  /** Closes the store and opens the floors' own connection to the same database. */
  floorDb(): Promise<FloorDb>;
  scratch: string;
  /** Drops the store (`keep`: leaves it and prints where it is). */
  cleanup(keep?: boolean): Promise<void>;
}

async function openBackend(): Promise<Backend> {
  if (backend === "pglite") {
    const scratch = await openScratchStore("pglite", "market");
    const dir = scratch.dir as string;
    let raw: PGlite | null = null;
    return {
      store: scratch.store,
      version: "",
      scratch: "bench_floor",
      async floorDb() {
        // One PGlite per folder: the store lets go before the floors open it raw.
        await scratch.close();
        raw = new PGlite({ dataDir: dir });
        await raw.waitReady;
        return pgliteFloorDb(raw);
      },
      async cleanup(keep = false) {
        await scratch.close().catch(() => {});
        if (raw && !raw.closed) await raw.close();
        if (keep) {
          console.log(`kept the store: FINTRA_PGLITE_DIR=${dir} (remove the folder when done)`);
          return;
        }
        await scratch.dispose();
      },
    };
  }
  const url = BENCH_DATABASE_URL;
  const down = await postgresError(url);
  if (down !== null) {
    console.error(
      `postgres: no server answers (${down}); set DATABASE_URL or use --backend pglite`,
    );
    process.exit(2);
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const [row] = await sql<{ server_version: string }[]>`SHOW server_version`;
  const scratch = await openScratchStore("postgres", "market");
  const schema = scratch.schema as string;
  const floorSchema = `${schema}_floor`;
  return {
    store: scratch.store,
    version: row?.server_version ?? "?",
    scratch: floorSchema,
    async floorDb() {
      await scratch.close();
      return postgresFloorDb(sql, schema);
    },
    async cleanup(keep = false) {
      await scratch.close().catch(() => {});
      await sql.end({ timeout: 2 }).catch(() => {});
      if (keep) {
        // postgres.js passes URL parameters it does not know to the server as settings.
        const kept = new URL(url);
        kept.searchParams.set("search_path", schema);
        kept.password = kept.password ? "***" : "";
        console.log(
          `kept the store: DATABASE_URL='${kept}' (the floors' schema ${floorSchema} too; DROP SCHEMA ... CASCADE both when done)`,
        );
        return;
      }
      // A fresh connection: the floors' one may be what an interrupt left mid-query.
      await dropSchemas(url, schema, floorSchema);
    },
  };
}

// --- 4. stages -------------------------------------------------------------------------
const stages: StageResult[] = [];
const servedKeys = new Map<StageResult["key"], string[]>();

async function stage(
  spec: Pick<StageResult, "key" | "label" | "floor">,
  run: () => Promise<StageOutcome>,
): Promise<StageResult> {
  await server.takeLog();
  console.log(`\n== ${spec.label}`);
  const rss = sampleRss();
  const started = performance.now();
  const outcome = await run();
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = rss.stop();
  const log = await server.takeLog();
  servedKeys.set(
    spec.key,
    log.served.map((s) => s.key),
  );
  const result: StageResult = {
    ...spec,
    seconds,
    rows: outcome.rows,
    rowsPerSecond: seconds > 0 ? outcome.rows / seconds : 0,
    peakRssMb,
    requests: log.served.length + log.misses.length,
    bytes: log.served.reduce((n, s) => n + s.bytes, 0),
    misses: log.misses,
    problems: outcome.problems,
    assets: outcome.assets,
    ...(outcome.note ? { note: outcome.note } : {}),
  };
  for (const p of outcome.problems) loud(p);
  if (log.misses.length) {
    loud(
      `${spec.label}: ${log.misses.length} CACHE MISS(ES), e.g. ${log.misses.slice(0, 3).join(", ")}; rerun once with --record to add them to the cache`,
    );
  }
  if (log.recorded.length) {
    console.log(`   recorded ${log.recorded.length} answer(s) into the cache`);
  }
  console.log(
    `   ${seconds.toFixed(1)} s, ${outcome.rows.toLocaleString("en-US")} rows, peak RSS ${peakRssMb.toFixed(0)} MB, ${result.requests} requests`,
  );
  stages.push(result);
  return result;
}

const reporter = lineReporter((line) => console.log(`   ${line}`));
const allAssets = graph.select("*");
const daily = daySelection(allAssets);
const secSelection = SEC_ASSETS.filter((k) => allAssets.includes(k)).join(",");
const notes = [
  `'*' includes the weekly SEC jobs: the cold, steady and rerun stages run '*' without ${SEC_ASSETS.join(" and ")}; the per-ticker stage runs '*' whole`,
];

const db = await openBackend();
/**
 * Set on SIGINT or SIGTERM: the handler drops the schema (or the PGlite folder) rather than
 * leave it behind, then exits. An interrupted run is never recorded.
 */
let interruption: Promise<void> | null = null;
function interrupt(signal: NodeJS.Signals): void {
  const code = 128 + constants.signals[signal];
  console.error(`\ninterrupted (${signal}): cleaning up; the run is not recorded`);
  const stop = setTimeout(() => process.exit(code), 15_000);
  interruption = Promise.allSettled([server.close(), db.cleanup()]).then(() => {
    clearTimeout(stop);
    process.exit(code);
  });
}
process.once("SIGINT", interrupt);
process.once("SIGTERM", interrupt);
const floors: FloorResult[] = [];
let pages: PageFigure[] | undefined;
/** Why the run ended before its last stage, if it did: such a run is not recorded. */
let stopped: string | undefined;
let exitCode = 0;
try {
  const { store } = db;
  await store.migrate();
  const resources = benchResources(store, fmp, now);
  if (backend === "pglite") {
    const [row] = await store.readOnlyQuery("SHOW server_version");
    db.version = String(row?.server_version ?? "?");
  }

  await stage(
    { key: "backfill", label: `price history (${years}y)`, floor: "history" },
    async () => {
      let day = 0;
      const summary = await backfill(graph, "fintra_universe,datos_eod", resources, {
        from: days.historyFrom,
        to: days.historyTo,
        progress: {
          start: (n) => console.log(`   ${n} trading days`),
          day: (d) => {
            if (++day % 50 === 0) console.log(`   ${day} days (${d.partition})`);
          },
          stop: () => {},
        },
      });
      const latest = summary.latestState ? [outcomeOf(summary.latestState, "backfill")] : [];
      const rows =
        latest.reduce((n, o) => n + o.rows, 0) + summary.days.reduce((n, d) => n + d.rows, 0);
      const problems = [
        ...latest.flatMap((o) => o.problems),
        ...summary.days
          .filter((d) => d.status === "failed" || d.status === "waiting")
          .map((d) => `backfill ${d.partition} ${d.status}: ${d.note.slice(0, 300)}`),
      ];
      const daysRows = summary.days.reduce((n, d) => n + d.rows, 0);
      return {
        rows,
        assets: [
          ...sumAssets(latest),
          { asset: "datos_eod (all days)", status: "succeeded", seconds: 0, rows: daysRows },
        ],
        problems,
      };
    },
  );

  await stage({ key: "cold", label: `cold day ${days.day}`, floor: "cold" }, async () => ({
    ...outcomeOf(
      await materialize(graph, daily, resources, { partition: days.day, reporter }),
      "cold day",
    ),
  }));

  await stage({ key: "steady", label: `steady day ${days.next}`, floor: "steady" }, async () => ({
    ...outcomeOf(
      await materialize(graph, daily, resources, { partition: days.next, reporter }),
      "steady day",
    ),
  }));

  await stage({ key: "ticker", label: `per-ticker '*' --ticker ${ticker} --force` }, async () =>
    outcomeOf(
      await materialize(graph, "*", resources, {
        partition: days.next,
        scope: { tickers: [ticker] },
        force: true,
        reporter,
      }),
      "per-ticker",
    ),
  );

  const mark = await markWrites(store);
  const rerun = await stage({ key: "rerun", label: `rerun of ${days.next}` }, async () =>
    outcomeOf(await materialize(graph, daily, resources, { partition: days.next }), "rerun"),
  );
  const written = await writesSince(store, mark);
  const rewritten = written.reduce((n, w) => n + w.written, 0);
  rerun.note = `rows written per the assets: ${rerun.rows}; row versions written per the tables: ${rewritten}`;
  if (rerun.rows > 0 || written.length > 0) {
    loud(
      `the rerun of a finished day WROTE: ${rerun.rows} rows per the assets; ${written
        .map(
          (w) =>
            `${w.table} ${w.written} written, count ${w.countChange >= 0 ? "+" : ""}${w.countChange}`,
        )
        .join("; ")}`,
    );
  } else {
    console.log("   wrote nothing (assets' rows 0, no row version newer than the rerun's start)");
  }

  await stage({ key: "sec", label: `weekly SEC jobs (run ${days.next})` }, async () => ({
    ...outcomeOf(
      await materialize(graph, secSelection, resources, { partition: days.next, reporter }),
      "SEC",
    ),
    note: "paced by the SEC client's request rate (SEC_RATE_PER_SEC, default 8/s); not part of the day",
  }));

  // --- 5. pages, then floors (which close the store) -------------------------------------
  console.log(`\n== pages (server-side, in process; target ${PAGE_TARGET_MS} ms)`);
  pages = await measurePages(pagesApp(graph, resources), benchPagePaths(ticker));
  for (const line of pagesTable(pages).split("\n")) console.log(`   ${line}`);
  for (const p of pageProblems(pages)) loud(p);

  console.log("\n== floors");
  const floorDb = await db.floorDb();
  const index = readIndex(render.dir);
  const tmp = mkdtempSync(join(tmpdir(), "fintra-bench-floor-"));
  try {
    const historyFiles = [...new Set(servedKeys.get("backfill") ?? [])]
      .filter((k) => k.startsWith("/stable/eod-bulk?"))
      .flatMap((k) => {
        const entry = index.get(k);
        return entry?.status === 200 ? [join(render.dir, FILES_DIR, entry.file)] : [];
      });
    const history = await historyFloor(floorDb, historyFiles, db.scratch);
    floors.push({
      key: "history",
      label: "history: COPY of the eod files",
      files: historyFiles.length,
      bytes: history.bytes,
      downloadSeconds: 0,
      parsedRows: 0,
      parseSeconds: 0,
      copyRows: history.rows,
      copySeconds: history.seconds,
      seconds: history.seconds,
      tables: [{ table: "eod_history", rows: history.rows, seconds: history.seconds }],
      note: "the files' rows, headers dropped, in one COPY into a table keyed (symbol, date)",
    });
    console.log(`   history: ${history.rows} rows in ${history.seconds.toFixed(1)} s`);

    for (const key of ["cold", "steady"] as const) {
      const result = stages.find((s) => s.key === key);
      if (!result) continue;
      const fetched = await downloadAndParse(
        server.url,
        render.dir,
        index,
        servedKeys.get(key) ?? [],
      );
      const rowsByTable = new Map<string, number>();
      for (const a of result.assets) rowsByTable.set(a.asset, a.rows);
      const copy = await copyFloor(floorDb, rowsByTable, db.scratch, tmp);
      const seconds = fetched.downloadSeconds + fetched.parseSeconds + copy.seconds;
      floors.push({
        key,
        label: `${key} day: download + parse + COPY`,
        ...fetched,
        copyRows: copy.rows,
        copySeconds: copy.seconds,
        seconds,
        tables: copy.tables,
        ...(copy.skipped.length ? { note: `no table to copy for ${copy.skipped.join(", ")}` } : {}),
      });
      console.log(
        `   ${key} day: download ${fetched.downloadSeconds.toFixed(1)} s, parse ${fetched.parseSeconds.toFixed(1)} s, COPY ${copy.rows} rows ${copy.seconds.toFixed(1)} s`,
      );
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await floorDb.close();
  }
} catch (error) {
  stopped = `a stage threw: ${(error as Error).message ?? String(error)}`.split("\n")[0];
  if (!interruption)
    console.error(`!! the run stopped: ${(error as Error).stack ?? String(error)}`);
} finally {
  // On an interrupt, its handler closes the file server and drops the store.
  if (!interruption) {
    await server.close();
    if (upstream) await upstream.close();
    await db
      .cleanup(values.keep)
      .catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
  }
}
// An interrupted run ends in its handler, once the store is gone; it writes nothing.
if (interruption) await interruption;
if (server.misses.length) {
  loud(`${server.misses.length} request(s) in all were cache misses: the figures are not valid`);
}

// --- 6. report -------------------------------------------------------------------------
const versions: Record<string, string> = {
  node: process.versions.node,
  [backend === "postgres" ? "postgres" : "pglite postgres"]: db.version,
  pglite: packageVersion("@electric-sql/pglite"),
  inngest: packageVersion("inngest"),
};
const cpuList = cpus();
const report: BenchReport = {
  date: new Date().toISOString().slice(0, 10),
  backend,
  options: { tickers, years, backend, seed, before: values.before, ticker },
  machine: {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? "?",
    memoryGb: totalmem() / 1024 ** 3,
    platform: `${platform()} ${release()}`,
  },
  versions,
  days,
  render: {
    seconds: renderSeconds,
    cacheHit: render.rendered === 0,
    files: render.entries,
    dir: render.dir,
  },
  stages,
  floors,
  ...(pages ? { pages } : {}),
  notes,
  problems,
  ...(stopped ? { stopped } : {}),
};

const save = !values["dry-run"] && !record && !stopped;
const root = new URL("..", import.meta.url).pathname;
const jsonPath = resultsPath(root, report);
const markdown = runMarkdown(report, save ? jsonPath : undefined);
console.log(`\n${markdown}`);
if (save && saveRun(root, jsonPath, report, markdown)) {
  console.log(`wrote ${jsonPath} and BENCHMARKS.md`);
}
if (problems.length) {
  console.error(`\n!! INVALID RUN: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`!!   ${p.split("\n")[0]}`);
  exitCode = 1;
}
if (stopped) {
  console.error(`\n!! NOT RECORDED (BENCHMARKS.md and bench/results left alone): ${stopped}`);
  exitCode = 1;
}
process.exit(exitCode);

function packageVersion(name: string): string {
  const path = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}
