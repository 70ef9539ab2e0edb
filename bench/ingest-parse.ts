/**
 * How fast the FMP client reads bulk CSV files, per file type, apart from any database:
 *
 *   npx tsx bench/ingest-parse.ts --tickers 10000 --rounds 3
 *   node --cpu-prof --cpu-prof-dir=.fintra/prof --import tsx bench/ingest-parse.ts --only income --stages client
 *
 * The sandbox market's files are rendered once into a cache folder (keyed by seed, size and
 * day) and served from memory by a plain HTTP server in this process, so the figures
 * measure the client, not the generator. Stages, each the best of `--rounds`:
 *   download  the body's bytes over loopback, nothing else (the floor)
 *   split     download + decode + papaparse into field arrays, no conversion
 *   convert   the rows already split in memory through the row validator (no I/O)
 *   client    fmp.csv(...) end to end: download, parse, convert, batches handed over
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CsvSplitter } from "../sources/fmp/csv-splitter.ts";
import {
  balanceSheetStatementBulk,
  type CsvEndpoint,
  cashFlowStatementBulk,
  eodBulk,
  incomeStatementBulk,
  keyMetricsTtmBulk,
  profileBulk,
  ratiosTtmBulk,
} from "../sources/fmp/index.ts";
import { RowValidator } from "../sources/fmp/rows.ts";
import { createSandboxMarket, renderEndpoint, SANDBOX_API_KEY } from "../sources/sandbox/index.ts";
import { benchFmp } from "./scratch.ts";

const { values } = parseArgs({
  options: {
    tickers: { type: "string", default: "10000" },
    seed: { type: "string", default: "42" },
    asOf: { type: "string", default: "2026-06-30" },
    rounds: { type: "string", default: "3" },
    only: { type: "string", default: "" },
    stages: { type: "string", default: "download,split,convert,client" },
    cache: { type: "string", default: join(tmpdir(), "fintra-bench-files") },
  },
});
const tickers = Number(values.tickers);
const seed = Number(values.seed);
const rounds = Math.max(1, Number(values.rounds));
const stages = new Set(values.stages.split(","));
const fiscalYear = Number(values.asOf.slice(0, 4)) - 1;

interface FileSpec {
  /** Short name for the table. */
  name: string;
  endpoint: CsvEndpoint<unknown, never>;
  params: Record<string, string | number>;
  /** Sandbox endpoint name (FMP's). */
  path: string;
}

const catalogue: FileSpec[] = [
  {
    name: "income",
    endpoint: incomeStatementBulk as CsvEndpoint<unknown, never>,
    params: { year: fiscalYear, period: "FY" },
    path: "income-statement-bulk",
  },
  {
    name: "balance",
    endpoint: balanceSheetStatementBulk as CsvEndpoint<unknown, never>,
    params: { year: fiscalYear, period: "FY" },
    path: "balance-sheet-statement-bulk",
  },
  {
    name: "cash-flow",
    endpoint: cashFlowStatementBulk as CsvEndpoint<unknown, never>,
    params: { year: fiscalYear, period: "FY" },
    path: "cash-flow-statement-bulk",
  },
  {
    name: "eod",
    endpoint: eodBulk as CsvEndpoint<unknown, never>,
    params: { date: "" },
    path: "eod-bulk",
  },
  {
    name: "ratios-ttm",
    endpoint: ratiosTtmBulk as CsvEndpoint<unknown, never>,
    params: {},
    path: "ratios-ttm-bulk",
  },
  {
    name: "key-metrics-ttm",
    endpoint: keyMetricsTtmBulk as CsvEndpoint<unknown, never>,
    params: {},
    path: "key-metrics-ttm-bulk",
  },
  {
    name: "profile",
    endpoint: profileBulk as CsvEndpoint<unknown, never>,
    params: { part: 0 },
    path: "profile-bulk",
  },
];
const files = catalogue.filter(
  (file) => values.only === "" || values.only.split(",").includes(file.name),
);

// Render (or reuse) the files.
const folder = join(values.cache, `seed${seed}-t${tickers}-${values.asOf}`);
mkdirSync(folder, { recursive: true });
let market: ReturnType<typeof createSandboxMarket> | null = null;
const openMarket = () => {
  // One profile part holding every row, so each file is one request.
  market ??= createSandboxMarket({ tickers, seed, asOf: values.asOf, profilePartSize: 1_000_000 });
  return market;
};
const bodies = new Map<string, Buffer>();
let rendered = 0;
const renderStarted = performance.now();
for (const file of files) {
  const cached = join(folder, `${file.name}.csv`);
  if (file.name === "eod") {
    const dateFile = join(folder, "eod.date");
    if (!existsSync(dateFile)) writeFileSync(dateFile, openMarket().latestTradingDay(values.asOf));
    file.params.date = readFileSync(dateFile, "utf8");
  }
  if (!existsSync(cached)) {
    writeFileSync(cached, renderEndpoint(openMarket(), file.path as never, file.params));
    rendered++;
  }
  bodies.set(file.path, readFileSync(cached));
}
const renderSeconds = (performance.now() - renderStarted) / 1000;

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const path = url.pathname.replace(/^\/stable\//, "");
  const body = bodies.get(path);
  const part = Number(url.searchParams.get("part") ?? "0");
  if (!body || part > 0) {
    res.writeHead(body ? 200 : 404, { "content-type": "text/csv" });
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": "text/csv", "content-length": String(body.length) });
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stable`;
const fmp = benchFmp(baseUrl);

function urlOf(file: FileSpec): string {
  const search = new URLSearchParams(
    Object.entries(file.params).map(([k, v]): [string, string] => [k, String(v)]),
  );
  return `${baseUrl}/${file.path}?${search}&apikey=${SANDBOX_API_KEY}`;
}

async function download(file: FileSpec): Promise<number> {
  const response = await fetch(urlOf(file));
  let bytes = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) bytes += chunk.length;
  return bytes;
}

async function split(file: FileSpec, keep: string[][] | null): Promise<number> {
  const response = await fetch(urlOf(file));
  const decoder = new TextDecoder();
  const splitter = new CsvSplitter();
  let rows = 0;
  const take = (found: string[][]) => {
    rows += found.length;
    if (keep) for (const row of found) keep.push(row);
  };
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    take(splitter.push(decoder.decode(chunk, { stream: true })).rows);
  }
  take(splitter.end().rows);
  return rows - 1; // the header
}

function convert(file: FileSpec, rows: string[][]): number {
  const [header, ...data] = rows;
  const validator = new RowValidator(file.endpoint, header as string[], file.name, {});
  let kept = 0;
  for (const fields of data) if (validator.validate(fields).ok) kept++;
  return kept;
}

async function client(file: FileSpec): Promise<number> {
  const { part: _part, ...params } = file.params;
  const options = file.name === "profile" ? { part: 0, batchSize: 5_000 } : { batchSize: 5_000 };
  const stream = fmp.csv(file.endpoint, params as never, options);
  let rows = 0;
  for await (const batch of stream) rows += batch.length;
  if (stream.report.skipped > 0) throw new Error(`${file.name}: ${stream.report.skipped} skipped`);
  return rows;
}

/**
 * The best of `rounds` runs. `ms` is the process's CPU time (user + system, all threads),
 * not wall time: this machine's 2 cores are shared, and CPU time is what the work costs.
 */
async function best(work: () => Promise<number> | number): Promise<{ rows: number; ms: number }> {
  let ms = Number.POSITIVE_INFINITY;
  let rows = 0;
  for (let round = 0; round < rounds; round++) {
    const started = process.cpuUsage();
    rows = await work();
    const used = process.cpuUsage(started);
    ms = Math.min(ms, (used.user + used.system) / 1000);
  }
  return { rows, ms };
}

console.log(
  `sandbox files: ${tickers} tickers, seed ${seed}, as of ${values.asOf} (${
    rendered > 0 ? `${rendered} rendered in ${renderSeconds.toFixed(1)} s` : "cached"
  }: ${folder}); best of ${rounds}, rates per second of CPU time\n`,
);
const table: string[][] = [];
for (const file of files) {
  const body = bodies.get(file.path) as Buffer;
  const cells = [file.name, String(file.endpoint.columns.length), (body.length / 1e6).toFixed(1)];
  let rows = 0;
  const rate = (figure: { rows: number; ms: number }) => {
    rows = figure.rows;
    return `${Math.round(figure.rows / (figure.ms / 1000)).toLocaleString("en-US")}`;
  };
  if (stages.has("download")) {
    const figure = await best(() => download(file));
    cells.push(`${(body.length / 1e6 / (figure.ms / 1000)).toFixed(0)} MB/s`);
  } else cells.push("");
  let kept: string[][] = [];
  if (stages.has("split")) cells.push(rate(await best(() => split(file, null))));
  else cells.push("");
  if (stages.has("convert")) {
    kept = [];
    await split(file, kept);
    cells.push(rate(await best(() => convert(file, kept))));
    kept = [];
  } else cells.push("");
  if (stages.has("client")) cells.push(rate(await best(() => client(file))));
  else cells.push("");
  cells.splice(1, 0, String(rows));
  table.push(cells);
}
await new Promise<void>((resolve) => server.close(() => resolve()));

const headers = [
  "file",
  "rows",
  "columns",
  "MB",
  "download",
  "split rows/s",
  "convert rows/s",
  "client rows/s",
];
const widths = headers.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
console.log(line(headers));
for (const row of table) console.log(line(row));
