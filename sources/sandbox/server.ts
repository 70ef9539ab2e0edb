/**
 * The sandbox over HTTP (node:http, loopback only): FMP's stable paths under /stable, an
 * `apikey` query parameter required like FMP (401 with FMP's JSON error shape when missing),
 * CSV streamed in chunks with backpressure, faults injected as configured (see faults.ts:
 * 429, 5xx, slow, cut, stalled and header-only bodies, renamed columns, bad rows), and SEC filing
 * documents under /sandbox/sec for the links the filings search returns.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep, setImmediate as yieldToLoop } from "node:timers/promises";
import {
  emptyFaultCounts,
  type FaultCounts,
  type FaultDecision,
  type FaultOptions,
  FaultPlan,
  renameHeader,
} from "./faults.ts";
import { csvChunks, type FeedResponse, isEndpoint, respond } from "./feeds.ts";
import {
  companyFilings,
  documentPaths,
  filingDocument,
  filingIndexPage,
  SEC_DOCUMENT_PREFIX,
} from "./filings.ts";
import type { SandboxMarket } from "./market.ts";

interface SandboxServerOptions {
  market: SandboxMarket;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: "127.0.0.1" | "localhost" | "::1";
  faults?: FaultOptions;
  /** When set, only this key is accepted; otherwise any non-empty key is. */
  apiKey?: string;
}

interface SandboxStats {
  /** Requests received per path (e.g. "/stable/eod-bulk"), whatever their outcome. */
  requests: Record<string, number>;
  /** Responses per HTTP status. */
  statuses: Record<string, number>;
  /** Faults actually injected; malformedRows counts rows. */
  faults: FaultCounts;
}

export interface SandboxServer {
  /** Base URL ending in /stable, e.g. http://127.0.0.1:41234/stable */
  url: string;
  port: number;
  market: SandboxMarket;
  stats: SandboxStats;
  /** Replaces the fault plan (counters restart); no argument turns faults off. */
  setFaults(faults?: FaultOptions): void;
  close(): Promise<void>;
}

const INVALID_KEY_MESSAGE =
  "Invalid API KEY. Feel free to create a Free API Key or visit the documentation for more information.";
const RATE_LIMIT_MESSAGE =
  "Limit Reach . Please upgrade your plan or visit our documentation for more details.";

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

/** Waits until the socket drains, or gives up when the client has gone. */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    // Both listeners come off whichever fires, or they pile up over a long stream.
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

export async function startSandboxServer(options: SandboxServerOptions): Promise<SandboxServer> {
  const { market } = options;
  const host = options.host ?? "127.0.0.1";
  let plan = new FaultPlan(options.faults);
  const stats: SandboxStats = { requests: {}, statuses: {}, faults: emptyFaultCounts() };

  const countStatus = (status: number) => {
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
  };

  async function streamCsv(
    res: ServerResponse,
    response: Extract<FeedResponse, { kind: "csv" }>,
    decision: FaultDecision,
  ): Promise<void> {
    res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
    const limit = decision.truncateAfterBytes;
    const stallAt = decision.stallAfterBytes;
    let sent = 0;
    const columns = renameHeader(response.columns, decision.renameColumns);
    if (columns !== response.columns) stats.faults.renamed++;
    // A file not published yet is its header alone.
    const rows = decision.unpublished ? [] : response.rows;
    const chunks = csvChunks(columns, rows, decision.corrupt, (count) => {
      stats.faults.malformedRows += count;
    });
    if (stallAt !== undefined) res.flushHeaders();
    for (const chunk of chunks) {
      if (res.destroyed) return;
      let bytes = Buffer.from(chunk);
      if (limit !== undefined && sent + bytes.length > limit) {
        bytes = bytes.subarray(0, Math.max(0, limit - sent));
        stats.faults.truncated++;
        // Cut the connection mid-body once the partial chunk is flushed: no terminating chunk.
        res.write(bytes, () => res.socket?.destroy());
        return;
      }
      if (stallAt !== undefined && sent + bytes.length > stallAt) {
        stats.faults.stalled++;
        res.write(bytes.subarray(0, Math.max(0, stallAt - sent)));
        // Send nothing more, keeping the connection open, until the client gives up.
        if (!res.destroyed) await once(res, "close");
        return;
      }
      sent += bytes.length;
      if (!res.write(bytes)) await drained(res);
      // Let other requests progress between chunks of a large file.
      await yieldToLoop();
    }
    res.end();
  }

  function serveSecDocument(res: ServerResponse, path: string): void {
    // /sandbox/sec/Archives/edgar/data/<cik>/<accession without dashes>/<file>
    const [cikText, folder, file] = path.slice(SEC_DOCUMENT_PREFIX.length + 1).split("/");
    const instrument = market.instruments.find(
      (i) => i.cik !== null && Number(i.cik) === Number(cikText),
    );
    if (!instrument || !folder || !file || !/^\d{18}$/.test(folder)) {
      countStatus(404);
      sendHtml(res, 404, "<html><body>Not found</body></html>");
      return;
    }
    const accession = `${folder.slice(0, 10)}-${folder.slice(10, 12)}-${folder.slice(12)}`;
    const year = 2000 + Number(folder.slice(10, 12));
    const filing = companyFilings(instrument, `${year}-01-01`, `${year}-12-31`, market.asOf).find(
      (f) => f.accession === accession,
    );
    if (!filing) {
      countStatus(404);
      sendHtml(res, 404, "<html><body>Not found</body></html>");
      return;
    }
    const paths = documentPaths(filing);
    countStatus(200);
    sendHtml(
      res,
      200,
      path === paths.index
        ? filingIndexPage(filing, paths.document)
        : filingDocument(instrument, filing),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? host}`);
    const path = url.pathname;
    stats.requests[path] = (stats.requests[path] ?? 0) + 1;
    if (req.method !== "GET" && req.method !== "HEAD") {
      countStatus(405);
      return sendJson(res, 405, { "Error Message": "Only GET is supported." });
    }
    if (path.startsWith(`${SEC_DOCUMENT_PREFIX}/`)) return serveSecDocument(res, path);

    const endpoint = path.startsWith("/stable/") ? path.slice("/stable/".length) : "";
    if (!isEndpoint(endpoint)) {
      countStatus(404);
      return sendJson(res, 404, { "Error Message": `Unknown endpoint ${path}.` });
    }
    const apiKey = url.searchParams.get("apikey") ?? "";
    if (apiKey === "" || (options.apiKey !== undefined && apiKey !== options.apiKey)) {
      countStatus(401);
      return sendJson(res, 401, { "Error Message": INVALID_KEY_MESSAGE });
    }

    const keyless = new URLSearchParams(url.searchParams);
    keyless.delete("apikey");
    keyless.sort();
    const decision = plan.decide(endpoint, `${endpoint}?${keyless}`);
    if (decision.rateLimit) {
      stats.faults.rateLimited++;
      countStatus(429);
      return sendJson(
        res,
        429,
        { "Error Message": RATE_LIMIT_MESSAGE },
        { "retry-after": String(decision.rateLimit.retryAfterSeconds) },
      );
    }
    if (decision.serverError) {
      stats.faults.serverErrors++;
      countStatus(decision.serverError.status);
      return sendJson(res, decision.serverError.status, {
        "Error Message": "Internal Server Error",
      });
    }
    if (decision.delayMs !== undefined) {
      stats.faults.slow++;
      await sleep(decision.delayMs);
    }

    const response = respond(market, endpoint, url.searchParams, url.origin);
    if (decision.unpublished) stats.faults.unpublished++;
    switch (response.kind) {
      case "error":
        countStatus(response.status);
        return sendJson(res, response.status, { "Error Message": response.message });
      case "empty":
        countStatus(200);
        res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-length": 0 });
        res.end();
        return;
      case "json":
        countStatus(200);
        return sendJson(res, 200, decision.unpublished ? [] : response.body);
      case "csv":
        countStatus(200);
        return streamCsv(res, response, decision);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      countStatus(500);
      if (!res.headersSent) sendJson(res, 500, { "Error Message": String(error) });
      else res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.listen(options.port ?? 0, host);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${hostInUrl}:${port}/stable`,
    port,
    market,
    stats,
    setFaults(faults?: FaultOptions) {
      plan = new FaultPlan(faults);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
