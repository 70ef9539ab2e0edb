/**
 * The machine's floor for a stage, measured in the same run on the same files and the same
 * database: what reading and writing the stage's data once costs, with nothing of the
 * pipeline's own work in between.
 *
 * - Day floor: download each file the stage fetched (once, from the same file server),
 *   parse it with the project's CSV splitter (papaparse, sources/fmp/csv-splitter.ts)
 *   without validation, and COPY as many output rows as the stage wrote into empty clones
 *   of its tables (`LIKE ... INCLUDING ALL`: same keys and indexes) in a scratch schema.
 *   The rows copied are the stage's tables' own rows (up to the count each asset wrote),
 *   exported to temporary files first; only the COPY into the clones is timed.
 * - History floor: the eod-bulk files the backfill fetched, streamed from the cache into
 *   COPY of one table shaped like the files with the price key (symbol, date).
 *
 * Postgres streams both ways (COPY TO STDOUT / FROM STDIN with postgres.js). PGlite has no
 * COPY over the wire: its COPY reads and writes `/dev/blob`, so exports go out in chunks of
 * pages (a TID range each) and come back in blobs of up to 64 MB; memory stays bounded by a
 * chunk, not a table. The history goes in as one COPY on Postgres (the files' headers
 * dropped), in 64 MB blobs on PGlite.
 */
import { closeSync, createReadStream, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PGlite } from "@electric-sql/pglite";
import pLimit from "p-limit";
import type postgres from "postgres";
import { CsvSplitter } from "../../sources/fmp/csv-splitter.ts";
import { SANDBOX_API_KEY } from "../../sources/sandbox/index.ts";
import { FILES_DIR, type readIndex } from "./static-server.mjs";

type CacheIndex = ReturnType<typeof readIndex>;

/** The SQL a floor needs, on either backend. */
export interface FloorDb {
  readonly backend: "postgres" | "pglite";
  /** The schema the pipeline's tables are in. */
  readonly schema: string;
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
  /** Exports a query's rows (COPY text format) into files under `dir`; at most `limit` rows. */
  exportRows(table: string, limit: number, dir: string): Promise<{ files: string[]; rows: number }>;
  /** COPY files into a table; `csvHeader` for FMP's CSV files, else COPY's text format. */
  importFiles(table: string, files: readonly string[], csvHeader: boolean): Promise<number>;
  close(): Promise<void>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Counts newlines flowing through: the rows of a COPY text body or of a headed CSV. */
function lineCounter(): Transform & { lines: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let n = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) n++;
      (counter as Transform & { lines: number }).lines += n;
      done(null, chunk);
    },
  }) as Transform & { lines: number };
  counter.lines = 0;
  return counter;
}

/** Newlines of a file: its rows when it is a headed CSV without a final newline. */
function newlines(path: string): number {
  const bytes = readFileSync(path);
  let n = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) n++;
  return n;
}

const COPY_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** A field as COPY's text format writes it: \N for null, backslash escapes. */
export function copyTextField(value: Buffer | null): string {
  if (value === null) return "\\N";
  const text = value.toString("utf8");
  return /[\\\n\r\t]/.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] ?? c) : text;
}

/** FMP's CSV files as one body: each file's header dropped, a newline between files. */
async function* headlessCsv(files: readonly string[]): AsyncGenerator<Buffer> {
  for (const file of files) {
    let header = true;
    let empty = true;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      let body = chunk as Buffer;
      if (header) {
        const at = body.indexOf(10);
        if (at === -1) continue;
        header = false;
        body = body.subarray(at + 1);
      }
      if (body.length === 0) continue;
      empty = false;
      yield body;
    }
    if (!empty) yield Buffer.from("\n");
  }
}

export function postgresFloorDb(sql: postgres.Sql, schema: string): FloorDb {
  return {
    backend: "postgres",
    schema,
    query: <T>(text: string) => sql.unsafe(text) as unknown as Promise<T[]>,
    async exportRows(table, limit, dir) {
      // Rows in the server's text output, written as COPY text. (COPY TO STDOUT through
      // postgres.js's readable() can leave the connection paused for good when its last
      // chunk meets backpressure, and the next query then never answers.)
      const file = join(dir, `${table}.copy`);
      const fd = openSync(file, "w");
      let rows = 0;
      try {
        const cursor = sql
          .unsafe(`SELECT * FROM ${quote(schema)}.${quote(table)} LIMIT ${limit}`)
          .raw()
          .cursor(5_000) as AsyncIterable<(Buffer | null)[][]>;
        for await (const batch of cursor) {
          const lines = batch.map((row) => row.map(copyTextField).join("\t"));
          writeSync(fd, `${lines.join("\n")}\n`);
          rows += batch.length;
        }
      } finally {
        closeSync(fd);
      }
      return { files: [file], rows };
    },
    async importFiles(table, files, csvHeader) {
      // One COPY for all the files: the floor pays a statement once, as a bulk load would.
      const counter = lineCounter();
      const options = csvHeader ? " WITH (FORMAT csv)" : "";
      const writable = await sql.unsafe(`COPY ${table} FROM STDIN${options}`).writable();
      const source = csvHeader
        ? Readable.from(headlessCsv(files))
        : Readable.from(
            (async function* () {
              for (const file of files) yield* createReadStream(file, { highWaterMark: 1 << 20 });
            })(),
          );
      await pipeline(source, counter, writable);
      return counter.lines;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/** Pages per exported chunk on PGlite (8 KB each: ~32 MB of table a chunk). */
const PGLITE_CHUNK_PAGES = 4_000;
/** Bytes of files per COPY blob on PGlite. */
const BLOB_BYTES = 64 * 1024 * 1024;

export function pgliteFloorDb(db: PGlite): FloorDb {
  const query = async <T>(text: string) => (await db.query<T>(text)).rows;
  return {
    backend: "pglite",
    schema: "public",
    query,
    async exportRows(table, limit, dir) {
      const name = `public.${quote(table)}`;
      const [size] = await query<{ pages: number }>(
        `SELECT (pg_relation_size('${name}') / 8192)::int AS pages`,
      );
      const files: string[] = [];
      let rows = 0;
      for (let page = 0; page <= (size?.pages ?? 0) && rows < limit; page += PGLITE_CHUNK_PAGES) {
        const range = `ctid >= '(${page},0)'::tid AND ctid < '(${page + PGLITE_CHUNK_PAGES},0)'::tid`;
        const result = await db.query(
          `COPY (SELECT * FROM ${name} WHERE ${range} LIMIT ${limit - rows}) TO '/dev/blob'`,
        );
        if (!result.blob || result.blob.size === 0) continue;
        const file = join(dir, `${table}.${files.length}.copy`);
        await writeFile(file, Buffer.from(await result.blob.arrayBuffer()));
        files.push(file);
        rows += newlines(file);
      }
      return { files, rows };
    },
    async importFiles(table, files, csvHeader) {
      // COPY reads a blob whole on PGlite: files go in batches of about BLOB_BYTES.
      let rows = 0;
      const options = csvHeader ? " WITH (FORMAT csv)" : "";
      const load = async (parts: Buffer[]) => {
        if (parts.length === 0) return;
        const blob = new Blob(parts);
        const result = await db.query(`COPY ${table} FROM '/dev/blob'${options}`, [], { blob });
        rows += result.affectedRows ?? 0;
      };
      let batch: Buffer[] = [];
      let size = 0;
      const source = csvHeader
        ? headlessCsv(files)
        : (async function* () {
            for (const file of files) yield readFileSync(file);
          })();
      for await (const part of source) {
        batch.push(part);
        size += part.length;
        if (size >= BLOB_BYTES) {
          await load(batch);
          batch = [];
          size = 0;
        }
      }
      await load(batch);
      return rows;
    },
    close: () => db.close(),
  };
}

export interface DownloadParseFloor {
  files: number;
  bytes: number;
  downloadSeconds: number;
  parsedRows: number;
  parseSeconds: number;
}

/**
 * Downloads each key once from the file server (two at a time, as the pipeline's readers
 * overlap), then parses each body from the cache with the project's CSV splitter, or
 * JSON.parse for JSON bodies.
 */
export async function downloadAndParse(
  baseUrl: string,
  cacheDir: string,
  index: CacheIndex,
  keys: readonly string[],
): Promise<DownloadParseFloor> {
  const origin = new URL(baseUrl).origin;
  const unique = [...new Set(keys)];
  const floor: DownloadParseFloor = {
    files: unique.length,
    bytes: 0,
    downloadSeconds: 0,
    parsedRows: 0,
    parseSeconds: 0,
  };
  const limit = pLimit(2);
  let started = performance.now();
  await Promise.all(
    unique.map((key) =>
      limit(async () => {
        const url = new URL(key, origin);
        if (key.startsWith("/stable/")) url.searchParams.set("apikey", SANDBOX_API_KEY);
        const response = await fetch(url);
        if (!response.body) return;
        for await (const chunk of response.body) floor.bytes += (chunk as Uint8Array).byteLength;
      }),
    ),
  );
  floor.downloadSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  for (const key of unique) {
    const entry = index.get(key);
    if (entry?.status !== 200 || entry.bytes === 0) continue;
    const path = join(cacheDir, FILES_DIR, entry.file);
    if (/csv/.test(entry.contentType)) {
      const splitter = new CsvSplitter();
      let rows = 0;
      const decoder = new TextDecoder();
      for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
        rows += splitter.push(decoder.decode(chunk as Buffer, { stream: true })).rows.length;
      }
      rows += splitter.push(decoder.decode()).rows.length + splitter.end().rows.length;
      floor.parsedRows += Math.max(0, rows - 1);
    } else if (/json/.test(entry.contentType)) {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
      floor.parsedRows += Array.isArray(parsed) ? parsed.length : 1;
    }
  }
  floor.parseSeconds = (performance.now() - started) / 1000;
  return floor;
}

export interface CopyFloor {
  rows: number;
  seconds: number;
  tables: { table: string; rows: number; seconds: number }[];
  /** Assets whose rows could not be copied (no table of that name), with their rows. */
  skipped: string[];
}

/**
 * COPY of `rowsByTable` rows of each table into empty clones in `scratch`: the tables'
 * rows are exported first (not timed), then each clone is loaded (timed) and dropped.
 */
export async function copyFloor(
  db: FloorDb,
  rowsByTable: ReadonlyMap<string, number>,
  scratch: string,
  tmp: string,
): Promise<CopyFloor> {
  const floor: CopyFloor = { rows: 0, seconds: 0, tables: [], skipped: [] };
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${quote(scratch)}`);
  for (const [table, wanted] of rowsByTable) {
    if (wanted <= 0) continue;
    const [exists] = await db.query<{ found: boolean }>(
      `SELECT to_regclass('${quote(db.schema)}.${quote(table)}') IS NOT NULL AS found`,
    );
    if (!exists?.found) {
      floor.skipped.push(`${table} (${wanted} rows)`);
      continue;
    }
    const exported = await db.exportRows(table, wanted, tmp);
    const clone = `${quote(scratch)}.${quote(table)}`;
    await db.query(
      `CREATE TABLE ${clone} (LIKE ${quote(db.schema)}.${quote(table)} INCLUDING ALL)`,
    );
    const started = performance.now();
    const rows = await db.importFiles(clone, exported.files, false);
    const seconds = (performance.now() - started) / 1000;
    await db.query(`DROP TABLE ${clone}`);
    floor.tables.push({ table, rows, seconds });
    floor.rows += rows;
    floor.seconds += seconds;
  }
  return floor;
}

/** COPY of the history's eod-bulk files into a keyed table shaped like them. */
export async function historyFloor(
  db: FloorDb,
  files: readonly string[],
  scratch: string,
): Promise<{ rows: number; seconds: number; bytes: number }> {
  const table = `${quote(scratch)}.eod_history`;
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${quote(scratch)}`);
  await db.query(
    `CREATE TABLE ${table} (symbol text NOT NULL, date date NOT NULL, open numeric, low numeric, high numeric, close numeric, adj_close numeric, volume bigint, PRIMARY KEY (symbol, date))`,
  );
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const started = performance.now();
  const rows = await db.importFiles(table, files, true);
  const seconds = (performance.now() - started) / 1000;
  await db.query(`DROP TABLE ${table}`);
  return { rows, seconds, bytes };
}
