/**
 * bench:market's file server: serves a rendered market cache the way FMP serves its API, and
 * nothing else. It only reads files (no generator, no TypeScript), so on the benchmark's
 * 2 cores it costs what a remote API would: a socket and a file read.
 *
 *   node bench/market/static-server.mjs <cache dir> [--upstream <url of a live sandbox>]
 *
 * - `/stable/<endpoint>?...&apikey=K`: the cached answer (status, content type, body) for the
 *   path and its query sorted by name without apikey; 401 without an apikey, like FMP.
 * - `/sandbox/sec/Archives/...`: the SEC filing documents the cached listings link to.
 * - Anything else is a miss: 404 with FMP's error shape, counted and reported. With
 *   `--upstream` (bench:market --record) a miss is fetched from the live sandbox, stored in
 *   the cache and served instead: the recording fallback for requests no plan listed.
 * - Listing bodies name the server they came from; the cache stores ORIGIN_PLACEHOLDER
 *   there and this server puts its own origin back when it serves them.
 *
 * Forked by bench/market/serve.ts: it reports {type: "ready", port} over IPC, answers
 * {type: "take-log"} with the keys served, missed and recorded since the last one, and exits
 * when the parent goes away.
 *
 * Cache layout: `<dir>/index.jsonl` (one entry per line, a later line wins) and the bodies
 * under `<dir>/files/`.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  appendFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** What cached bodies say instead of the origin they were rendered on. */
export const ORIGIN_PLACEHOLDER = "http://fintra-bench.invalid";
export const INDEX_FILE = "index.jsonl";
export const FILES_DIR = "files";
const SEC_PREFIX = "/sandbox/sec/";
const INVALID_KEY =
  "Invalid API KEY. Feel free to create a Free API Key or visit the documentation for more information.";

/** The cache key of a request: its path and its query sorted by name, without apikey. */
export function cacheKey(pathname, searchParams) {
  const params = new URLSearchParams(searchParams);
  params.delete("apikey");
  params.sort();
  const text = params.toString();
  return text ? `${pathname}?${text}` : pathname;
}

/** The body file's name for a key (a hash, with an extension for whoever looks). */
export function fileNameFor(key, contentType) {
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 32);
  const ext = /csv/.test(contentType)
    ? "csv"
    : /json/.test(contentType)
      ? "json"
      : /html/.test(contentType)
        ? "html"
        : "bin";
  return `${hash}.${ext}`;
}

/** Every entry of a cache folder, by key (an empty map when nothing was rendered yet). */
export function readIndex(dir) {
  const entries = new Map();
  const path = join(dir, INDEX_FILE);
  if (!existsSync(path)) return entries;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line);
    entries.set(entry.key, entry);
  }
  return entries;
}

/** Stores one answer: the body first (written whole, then renamed), then its index line. */
export function storeEntry(dir, { key, status, contentType, body, rewrite }) {
  const files = join(dir, FILES_DIR);
  mkdirSync(files, { recursive: true });
  const file = fileNameFor(key, contentType);
  const tmp = join(files, `${file}.tmp-${process.pid}`);
  writeFileSync(tmp, body);
  renameSync(tmp, join(files, file));
  const entry = { key, file, status, contentType, bytes: body.length, rewrite: Boolean(rewrite) };
  appendEntry(dir, entry);
  return entry;
}

/** Appends an index line for a body already under files/. */
export function appendEntry(dir, entry) {
  appendFileSync(join(dir, INDEX_FILE), `${JSON.stringify(entry)}\n`);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Starts the server on loopback. `upstream`: the base URL (…/stable) of a live sandbox to
 * record misses from. Returns its port, its log and close().
 */
export async function startStaticServer({ dir, upstream = null, onMiss = () => {} }) {
  const entries = readIndex(dir);
  let log = { served: [], misses: [], recorded: [] };
  const upstreamOrigin = upstream ? new URL(upstream).origin : null;
  let origin = "";

  async function record(key, url, apiKey) {
    const target = new URL(url.pathname + url.search, upstreamOrigin);
    if (apiKey) target.searchParams.set("apikey", apiKey);
    const response = await fetch(target);
    const contentType = response.headers.get("content-type") ?? "application/octet-stream";
    let body = Buffer.from(await response.arrayBuffer());
    let rewrite = false;
    if (/json|html/.test(contentType) && body.includes(upstreamOrigin)) {
      body = Buffer.from(body.toString("utf8").replaceAll(upstreamOrigin, ORIGIN_PLACEHOLDER));
      rewrite = true;
    }
    const entry = storeEntry(dir, { key, status: response.status, contentType, body, rewrite });
    entries.set(key, entry);
    log.recorded.push(key);
    return entry;
  }

  async function serveEntry(res, entry) {
    const path = join(dir, FILES_DIR, entry.file);
    if (entry.rewrite) {
      const text = readFileSync(path, "utf8").replaceAll(ORIGIN_PLACEHOLDER, origin);
      res.writeHead(entry.status, {
        "content-type": entry.contentType,
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    res.writeHead(entry.status, {
      "content-type": entry.contentType,
      "content-length": entry.bytes,
    });
    const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
    stream.pipe(res);
    await once(stream, "close");
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? "/", origin);
    const isFmp = url.pathname.startsWith("/stable/");
    if (!isFmp && !url.pathname.startsWith(SEC_PREFIX)) {
      return sendJson(res, 404, { "Error Message": `Unknown endpoint ${url.pathname}.` });
    }
    const apiKey = url.searchParams.get("apikey") ?? "";
    if (isFmp && apiKey === "") return sendJson(res, 401, { "Error Message": INVALID_KEY });
    const key = cacheKey(url.pathname, url.searchParams);
    let entry = entries.get(key);
    if (!entry && upstreamOrigin) entry = await record(key, url, apiKey);
    if (!entry) {
      log.misses.push(key);
      onMiss(key);
      return sendJson(res, 404, { "Error Message": `bench:market cache miss: ${key}` });
    }
    log.served.push({ key, bytes: entry.bytes });
    return serveEntry(res, entry);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { "Error Message": String(error) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  origin = `http://127.0.0.1:${port}`;
  return {
    port,
    entries: entries.size,
    takeLog() {
      const taken = log;
      log = { served: [], misses: [], recorded: [] };
      return taken;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function main() {
  const [dir, flag, upstream] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: static-server.mjs <cache dir> [--upstream <base url>]");
    process.exit(2);
  }
  const server = await startStaticServer({
    dir,
    upstream: flag === "--upstream" ? upstream : null,
    onMiss: (key) => process.send?.({ type: "miss", key }),
  });
  if (process.send) {
    process.on("message", (message) => {
      if (message?.type === "take-log") {
        process.send({ type: "log", id: message.id, ...server.takeLog() });
      }
    });
    process.on("disconnect", () => process.exit(0));
    process.send({ type: "ready", port: server.port, entries: server.entries });
  } else {
    console.log(
      `serving ${server.entries} cached answers at http://127.0.0.1:${server.port}/stable`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
