/**
 * The database write path, measured on its own (issue 11, point 2): rows/s of Store.upsert
 * and of Store.stage + Store.publish, insert path (fresh keys) and update path (every row
 * changed), for datos_eod-shaped rows (9 columns, one run per 45,000-row day) and wide
 * datos_financieros-shaped rows (52 columns, one run per 100,000 rows), next to the floor:
 * a plain COPY of the same rows into an empty copy of the keyed table. Then a price history
 * backfill (`fintra_universe,datos_eod`) on the sandbox market, its files rendered before the
 * clock starts so the figure is the pipeline's, next to the COPY floor of the same rows.
 * Postgres (DATABASE_URL, else the local server; a fresh schema, dropped after) or PGlite
 * (a temporary folder). Figures are printed, never asserted.
 *
 *   npm run bench:write-path -- --backend postgres --rows 100000,1000000 --shapes eod,wide
 *   npm run bench:write-path -- --backend pglite --rows 100000 --backfill-tickers 0
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { Session } from "node:inspector/promises";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { datosEodTable } from "../assets/datos_eod.ts";
import { graph } from "../assets/index.ts";
import { financialsTable } from "../assets/statements/datos_financieros.ts";
import type { SqlExecutor } from "../db/adapters/sql.ts";
import type { Store, TableSpec } from "../db/index.ts";
import { backfill } from "../runtime/backfill.ts";
import { utcDate } from "../runtime/partitions.ts";
import { renderEndpoint, startSandboxServer } from "../sources/sandbox/index.ts";
import { measure, printFigures, type StageFigures } from "./measure.ts";
import {
  BENCH_DATABASE_URL,
  benchFmp,
  benchMarket,
  benchResources,
  openScratchStore,
} from "./scratch.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "postgres" },
    rows: { type: "string", default: "100000" },
    shapes: { type: "string", default: "eod,wide" },
    paths: { type: "string", default: "floor,upsert,stage" },
    "backfill-tickers": { type: "string", default: "5000" },
    "backfill-years": { type: "string", default: "1" },
    /** Writes a CPU profile of the backfill alone (not the rendering) to this file. */
    profile: { type: "string" },
  },
});
const backend = values.backend as "postgres" | "pglite";
const sizes = values.rows.split(",").filter(Boolean).map(Number);
const shapes = values.shapes.split(",").filter(Boolean);
const paths = new Set(values.paths.split(","));
const backfillTickers = Number(values["backfill-tickers"]);
const backfillYears = Number(values["backfill-years"]);

interface Bench {
  store: Store;
  db: SqlExecutor;
  /** A plain COPY of text lines into `table` (the floor); null where the adapter has none. */
  copy: ((table: string, columns: string[], lines: string[]) => Promise<void>) | null;
  cleanup(): Promise<void>;
}

async function openBench(): Promise<Bench> {
  const scratch = await openScratchStore(backend, "write");
  const { store, db, schema } = scratch;
  if (!schema) {
    return {
      store,
      db,
      // The adapter's own COPY door (PGlite's /dev/blob), where it has one.
      copy:
        "copyFrom" in db
          ? (table, columns, lines) => db.copyFrom(table, columns, [Buffer.from(lines.join(""))])
          : null,
      cleanup: () => scratch.dispose(),
    };
  }
  const raw = postgres(BENCH_DATABASE_URL, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: schema },
  });
  return {
    store,
    db,
    async copy(table, columns, lines) {
      const writable = await raw
        .unsafe(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`)
        .writable();
      await new Promise<void>((resolve, reject) => {
        writable.on("error", reject);
        writable.on("finish", resolve);
        let i = 0;
        const pump = () => {
          while (i < lines.length) {
            const batch = lines.slice(i, i + 2_000).join("");
            i += 2_000;
            if (!writable.write(batch)) {
              writable.once("drain", pump);
              return;
            }
          }
          writable.end();
        };
        pump();
      });
    },
    cleanup: async () => {
      await raw.end();
      await scratch.dispose();
    },
  };
}

type Row = Record<string, unknown>;

/** Row `i` of a shape, `version` changing every non-key value (the update path). */
function makeRow(shape: string, i: number, version: number): Row {
  if (shape === "eod") {
    const ticker = `T${String(i % 45_000).padStart(5, "0")}`;
    const day = Math.floor(i / 45_000);
    const date = new Date(Date.UTC(2020, 0, 1 + day)).toISOString().slice(0, 10);
    const p = 10 + ((i * 7919) % 100_000) / 1000 + version / 100;
    return {
      ticker,
      price_date: date,
      open: p,
      high: p * 1.02,
      low: p * 0.98,
      close: p * 1.01,
      adj_close: i % 50 === 0 ? null : p * 1.005,
      volume: 1_000 + ((i * 31) % 1_000_000) + version,
      source: "fmp_eod_bulk",
    };
  }
  const ticker = `T${String(Math.floor(i / 40)).padStart(6, "0")}`;
  const q = i % 40;
  const year = 2000 + Math.floor(q / 4);
  const row: Row = {
    ticker,
    period_type: "Q",
    period_label: `${year}Q${(q % 4) + 1}`,
    period_end_date: `${year}-${String((q % 4) * 3 + 3).padStart(2, "0")}-28`,
    fiscal_year: year,
    fiscal_period: `Q${(q % 4) + 1}`,
    filing_date: `${year + 1}-02-15`,
    source: "fmp_bulk",
    statements: i % 9 === 0 ? ["income"] : ["income", "balance", "cash_flow"],
    updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
  };
  let n = 0;
  for (const [column, type] of Object.entries(financialsTable.columns)) {
    if (column in row || type !== "numeric") continue;
    n += 1;
    row[column] = (i + n) % 13 === 0 ? null : ((i * 104_729 + n * 7_919) % 1e9) / 100 + version;
  }
  return row;
}

const tableOf = (shape: string) =>
  (shape === "eod" ? datosEodTable : financialsTable) as unknown as TableSpec<Row>;

function copyLine(table: TableSpec<Row>, row: Row): string {
  const cells = Object.entries(table.columns).map(([column, type]) => {
    const value = row[column];
    if (value === null || value === undefined) return "\\N";
    if (type === "text[]")
      return `{${(value as string[]).map((v) => `"${v}"`).join(",")}}`.replaceAll("\\", "\\\\");
    return String(value).replace(/[\\\t\n\r]/g, (c) => (c === "\t" ? "\\t" : `\\${c}`));
  });
  return `${cells.join("\t")}\n`;
}

/**
 * The floor: the rows generated and COPYed, in one run's batches, into an empty copy of the
 * keyed table; and the generation alone, which every path below pays too.
 */
async function floorOf(
  bench: Bench,
  shape: string,
  total: number,
  label: string,
): Promise<StageFigures[]> {
  const table = tableOf(shape);
  const perRun = shape === "eod" ? 45_000 : 100_000;
  const floor = `${table.name}_floor`;
  const out: StageFigures[] = [];
  const copy = bench.copy;
  if (!copy) return out;
  out.push(
    await measure(`${label}: generate the rows only`, backend, async () => {
      let n = 0;
      for (let i = 0; i < total; i++) n += makeRow(shape, i, 0) ? 1 : 0;
      return n;
    }),
  );
  await bench.db.exec(
    `DROP TABLE IF EXISTS "${floor}"; CREATE TABLE "${floor}" (LIKE "${table.name}" INCLUDING ALL)`,
  );
  try {
    out.push(
      await measure(`${label}: COPY into the keyed table (floor)`, backend, async () => {
        for (let start = 0; start < total; start += perRun) {
          const lines: string[] = [];
          for (let i = start; i < Math.min(total, start + perRun); i++)
            lines.push(copyLine(table, makeRow(shape, i, 0)));
          await copy(floor, Object.keys(table.columns), lines);
        }
        return total;
      }),
    );
  } finally {
    await bench.db.exec(`DROP TABLE "${floor}"`);
  }
  return out;
}

async function writePaths(bench: Bench, shape: string, total: number): Promise<StageFigures[]> {
  const table = tableOf(shape);
  const label = `${shape} ${total.toLocaleString("en-US")}`;
  const out: StageFigures[] = [];
  const perRun = shape === "eod" ? 45_000 : 100_000;
  const truncate = () => bench.db.exec(`TRUNCATE "${table.name}"`);
  const batches = function* (version: number, size: number) {
    for (let start = 0; start < total; start += size) {
      const rows: Row[] = [];
      for (let i = start; i < Math.min(total, start + size); i++)
        rows.push(makeRow(shape, i, version));
      yield rows;
    }
  };
  if (paths.has("floor")) out.push(...(await floorOf(bench, shape, total, label)));
  if (paths.has("upsert")) {
    await truncate();
    for (const [version, path] of [
      [0, "insert"],
      [1, "update"],
    ] as const) {
      out.push(
        await measure(`${label}: upsert, ${path} path`, backend, async () => {
          let n = 0;
          for (const rows of batches(version, 50_000)) n += await bench.store.upsert(table, rows);
          return n;
        }),
      );
    }
  }
  if (paths.has("stage")) {
    await truncate();
    for (const [version, path] of [
      [0, "insert"],
      [1, "update"],
    ] as const) {
      out.push(
        await measure(`${label}: stage+publish, ${path} path`, backend, async () => {
          let written = 0;
          let run = 0;
          for (const rows of batches(version, perRun)) {
            const runId = `bench-${shape}-${version}-${run++}`;
            let staged = 0;
            // Stages in the 10,000-row batches the CSV reader hands an asset.
            for (let i = 0; i < rows.length; i += 10_000) {
              staged += await bench.store.stage(table, runId, rows.slice(i, i + 10_000));
            }
            const result = await bench.store.publish(table, { runId, staged, replace: null });
            written += result.written;
          }
          return written;
        }),
      );
    }
  }
  await truncate();
  return out;
}

/** The sandbox's EOD files rendered once, served from memory; other endpoints proxied. */
async function cachedSandbox(tickers: number, years: number, now: Date) {
  const market = benchMarket(tickers, years, utcDate(now));
  const sandbox = await startSandboxServer({ market });
  const day = market.latestTradingDay(market.asOf);
  const trading = market.tradingDays("1900-01-01", day);
  const days = trading.slice(Math.max(0, trading.length - Math.round(252 * years)));
  const started = performance.now();
  /** Bodies by endpoint and query (no apikey): the EOD files and the profile parts. */
  const files = new Map<string, string>();
  const keyOf = (endpoint: string, params: URLSearchParams) => {
    const query = new URLSearchParams(params);
    query.delete("apikey");
    query.sort();
    return `${endpoint}?${query}`;
  };
  for (const date of days) {
    files.set(
      keyOf("eod-bulk", new URLSearchParams({ date })),
      renderEndpoint(market, "eod-bulk", { date }),
    );
  }
  for (let part = 0; ; part++) {
    const body = renderEndpoint(market, "profile-bulk", { part });
    files.set(keyOf("profile-bulk", new URLSearchParams({ part: String(part) })), body);
    if (body === "") break;
  }
  const renderSeconds = (performance.now() - started) / 1000;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const cached = files.get(keyOf(url.pathname.split("/").pop() ?? "", url.searchParams));
    if (cached !== undefined) {
      res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
      res.end(cached);
      return;
    }
    fetch(`${sandbox.url}${req.url}`)
      .then(async (answer) => {
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch((error: unknown) => {
        res.writeHead(502);
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    market,
    url: `http://127.0.0.1:${port}`,
    days,
    renderSeconds,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandbox.close();
    },
  };
}

async function priceBackfill(bench: Bench): Promise<StageFigures[]> {
  const now = new Date();
  const sandbox = await cachedSandbox(backfillTickers, backfillYears, now);
  console.log(
    `sandbox: ${sandbox.market.tickers.length} instruments; ${sandbox.days.length} EOD files and the profiles rendered in ${sandbox.renderSeconds.toFixed(1)} s, served from memory`,
  );
  const resources = benchResources(bench.store, benchFmp(sandbox.url), () => now);
  const from = sandbox.days[0] as string;
  const to = sandbox.days.at(-1) as string;
  const out: StageFigures[] = [];
  const session = values.profile ? new Session() : null;
  try {
    if (session) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    out.push(
      await measure(`backfill fintra_universe,datos_eod ${from}..${to}`, backend, async () => {
        const s = await backfill(graph, "fintra_universe,datos_eod", resources, { from, to });
        if (s.exitCode !== 0) throw new Error(`backfill exit ${s.exitCode}`);
        return s.days.reduce((n, d) => n + d.rows, 0);
      }),
    );
    if (session && values.profile) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(values.profile, JSON.stringify(profile));
      session.disconnect();
    }
    const rows = (
      await bench.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM datos_eod`)
    )[0]?.n as number;
    out.push(...(await floorOf(bench, "eod", rows, `backfill floor: COPY ${rows} price rows`)));
  } finally {
    await sandbox.close();
  }
  return out;
}

const bench = await openBench();
const figures: StageFigures[] = [];
try {
  await bench.store.migrate();
  for (const shape of shapes) {
    for (const size of sizes) figures.push(...(await writePaths(bench, shape, size)));
  }
  if (backfillTickers > 0) figures.push(...(await priceBackfill(bench)));
} finally {
  await bench.cleanup();
}
printFigures(figures);
