/**
 * Renders the benchmark market into its cache folder once: the sandbox runs in this process
 * on loopback only while rendering, every planned request (plan.ts) is asked of it and its
 * answer stored (status, content type, body) under the request's key. Requests already in
 * the cache are skipped, so a cache that lacks a few keys (a plan that grew) is completed
 * rather than redone. Answers are stored as the sandbox gives them, errors included: a
 * per-symbol endpoint the sandbox does not serve yet is cached as its 404 and named.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pLimit from "p-limit";
import {
  createSandboxMarket,
  SANDBOX_API_KEY,
  startSandboxServer,
} from "../../sources/sandbox/index.ts";
import {
  type BenchDays,
  bulkRequests,
  cacheName,
  type PagedRequest,
  type PlannedRequest,
  perTickerRequests,
  requestKey,
  secListingRequests,
} from "./plan.ts";
import {
  type CacheEntry,
  FILES_DIR,
  ORIGIN_PLACEHOLDER,
  readIndex,
  storeEntry,
} from "./static-server.mjs";

export interface RenderOptions {
  root: string;
  seed: number;
  tickers: number;
  years: number;
  days: BenchDays;
  /** The per-ticker stage's symbol. */
  ticker: string;
}

export interface RenderSummary {
  dir: string;
  /** Answers in the cache after rendering. */
  entries: number;
  /** Answers rendered now (0: a cache hit). */
  rendered: number;
  bytes: number;
  seconds: number;
  /** Planned requests the sandbox answered with an error (cached as such). */
  notServed: string[];
}

/** A hash of the sandbox's source files: the generator the cache was rendered with. */
export function sandboxFingerprint(dir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".ts")) continue;
    hash.update(name).update(readFileSync(join(dir, name)));
  }
  return hash.digest("hex").slice(0, 10);
}

/** The cache folder for these options (not created). */
export function cacheDir(options: RenderOptions, fingerprint: string): string {
  return join(
    options.root,
    cacheName({ ...options, day: options.days.next, sandboxFingerprint: fingerprint }),
  );
}

/** Removes caches of the same market rendered by another version of the sandbox. */
function pruneStale(root: string, dir: string): string[] {
  const name = dir.slice(root.length + 1);
  const prefix = name.slice(0, name.lastIndexOf("-") + 1);
  const stale = readdirSync(root).filter((n) => n !== name && n.startsWith(prefix));
  for (const n of stale) rmSync(join(root, n), { recursive: true, force: true });
  return stale;
}

export async function renderMarket(options: RenderOptions): Promise<RenderSummary> {
  const fingerprint = sandboxFingerprint(
    new URL("../../sources/sandbox", import.meta.url).pathname,
  );
  const dir = cacheDir(options, fingerprint);
  mkdirSync(join(dir, FILES_DIR), { recursive: true });
  const entries = readIndex(dir);
  const started = performance.now();
  const summary: RenderSummary = {
    dir,
    entries: 0,
    rendered: 0,
    bytes: 0,
    seconds: 0,
    notServed: [],
  };
  // The sandbox is only started when something is missing: a cache hit costs nothing.
  let live: { url: string; origin: string; close(): Promise<void> } | null = null;
  const sandbox = async () => {
    if (!live) {
      const market = createSandboxMarket({
        tickers: options.tickers,
        seed: options.seed,
        asOf: options.days.next,
        historyYears: options.years + 1,
      });
      const server = await startSandboxServer({ market });
      live = { url: server.url, origin: new URL(server.url).origin, close: () => server.close() };
    }
    return live;
  };

  const fetchAndStore = async (request: PlannedRequest): Promise<CacheEntry> => {
    const key = requestKey(request.path, request.query);
    const cached = entries.get(key);
    if (cached) return cached;
    const { origin } = await sandbox();
    const url = new URL(request.path, origin);
    for (const [name, value] of Object.entries(request.query)) {
      url.searchParams.set(name, String(value));
    }
    if (request.path.startsWith("/stable/")) url.searchParams.set("apikey", SANDBOX_API_KEY);
    const response = await fetch(url);
    const contentType = response.headers.get("content-type") ?? "application/octet-stream";
    let body = Buffer.from(await response.arrayBuffer());
    let rewrite = false;
    if (/json|html/.test(contentType) && body.includes(origin)) {
      body = Buffer.from(body.toString("utf8").replaceAll(origin, ORIGIN_PLACEHOLDER));
      rewrite = true;
    }
    const entry = storeEntry(dir, { key, status: response.status, contentType, body, rewrite });
    entries.set(key, entry);
    summary.rendered++;
    summary.bytes += entry.bytes;
    return entry;
  };

  const bodyOf = (entry: CacheEntry) => readFileSync(join(dir, FILES_DIR, entry.file), "utf8");

  /** Pages or parts in order until the endpoint says there are no more. */
  const fetchPaged = async (request: PagedRequest): Promise<CacheEntry[]> => {
    const answers: CacheEntry[] = [];
    const counter = request.paging === "part-until-empty" ? "part" : "page";
    for (let n = 0; n <= 100; n++) {
      const entry = await fetchAndStore({ ...request, query: { ...request.query, [counter]: n } });
      answers.push(entry);
      if (entry.status !== 200) break;
      if (request.paging === "part-until-empty" && entry.bytes === 0) break;
      if (request.paging === "page-until-short") {
        const rows = JSON.parse(bodyOf(entry)) as unknown[];
        if (rows.length < Number(request.query.limit)) break;
      }
    }
    return answers;
  };

  try {
    const limit = pLimit(2);
    const simple: PlannedRequest[] = [];
    for (const request of bulkRequests(options.days)) {
      if ("paging" in request) await fetchPaged(request);
      else simple.push(request);
    }
    await Promise.all(simple.map((r) => limit(() => fetchAndStore(r))));

    // The SEC jobs run on the steady day; their documents are whatever the listings link to.
    const documents = new Set<string>();
    for (const listing of secListingRequests(options.days.next)) {
      for (const page of await fetchPaged(listing)) {
        if (page.status !== 200) continue;
        for (const row of JSON.parse(bodyOf(page)) as { link?: string; finalLink?: string }[]) {
          for (const link of [row.finalLink, row.link]) {
            if (link?.startsWith(ORIGIN_PLACEHOLDER)) {
              documents.add(link.slice(ORIGIN_PLACEHOLDER.length));
            }
          }
        }
      }
    }
    await Promise.all(
      [...documents].map((path) =>
        limit(() => fetchAndStore({ path, query: {}, for: "SEC document" })),
      ),
    );

    for (const request of perTickerRequests(options.ticker, options.days)) {
      const entry = await fetchAndStore(request);
      if (entry.status !== 200) summary.notServed.push(`${entry.key} (${entry.status})`);
    }
  } finally {
    if (live) await (live as { close(): Promise<void> }).close();
  }
  summary.entries = entries.size;
  summary.seconds = (performance.now() - started) / 1000;
  if (summary.rendered > 0) {
    // A completed cache's render time is the sum of its renders.
    const totalSeconds = (recordedRenderSeconds(dir) ?? 0) + summary.seconds;
    const meta = {
      ...options,
      fingerprint,
      renderedAt: new Date().toISOString(),
      ...summary,
      totalSeconds,
    };
    writeFileSync(join(dir, "render.json"), `${JSON.stringify(meta, null, 2)}\n`);
    pruneStale(options.root, dir);
  }
  return summary;
}

/** The render time recorded when the cache was made (for a cache hit's report). */
export function recordedRenderSeconds(dir: string): number | null {
  const path = join(dir, "render.json");
  if (!existsSync(path)) return null;
  const meta = JSON.parse(readFileSync(path, "utf8")) as { totalSeconds?: number };
  return typeof meta.totalSeconds === "number" ? meta.totalSeconds : null;
}
