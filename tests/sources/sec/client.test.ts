/**
 * The SEC document client against a local HTTP server that misbehaves on request:
 * 429 bursts with Retry-After, 500s, stalls, oversized bodies, refusals. Backoffs are
 * milliseconds here; the defaults are seconds.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lazySec } from "../../../runtime/resources.ts";
import {
  createSecDocumentClient,
  DEFAULT_USER_AGENT,
  isSecDocumentError,
  type SecDocumentClientOptions,
  SecDocumentError,
  secConfigFromEnv,
} from "../../../sources/sec/index.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void | Promise<void>;

const DOC =
  "<html><body><p><b>Item&#160;1.01</b> Entry into a Material Definitive Agreement.</p></body></html>";
let server: Server;
let base: string;
let handlers: Record<string, Handler> = {};
let hits: Record<string, number> = {};
let agents: string[] = [];
let starts: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    agents.push(String(req.headers["user-agent"]));
    starts.push(performance.now());
    const handler = handlers[path];
    if (!handler) {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><head><title>Not Found</title></head></html>");
      return;
    }
    Promise.resolve(handler(req, res, hits[path] ?? 0)).catch(() => res.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  handlers = {};
  hits = {};
  agents = [];
  starts = [];
});

const fast: SecDocumentClientOptions = {
  userAgent: "Fintra tests ops@fintra.example",
  ratePerSecond: 1000,
  backoff: { minMs: 5, maxMs: 20 },
  timeoutMs: 300,
  retries: 3,
};

function ok(body = DOC, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers });
    res.end(body);
  };
}

async function failure(promise: Promise<unknown>): Promise<SecDocumentError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isSecDocumentError(error)) throw new Error(`expected a SecDocumentError, got ${error}`);
  return error;
}

describe("createSecDocumentClient", () => {
  it("fetches a document with the declared User-Agent", async () => {
    handlers["/Archives/edgar/data/1/a.htm"] = ok();
    const client = createSecDocumentClient(fast);
    const doc = await client.fetchDocument(`${base}/Archives/edgar/data/1/a.htm`);
    expect(doc.text).toBe(DOC);
    expect(doc.bytes).toBe(Buffer.byteLength(DOC));
    expect(doc.attempts).toBe(1);
    expect(agents).toEqual(["Fintra tests ops@fintra.example"]);
  });

  it("retries a 429 burst, waiting out Retry-After", async () => {
    handlers["/doc"] = (_req, res, hit) => {
      if (hit <= 2) {
        res.writeHead(429, { "retry-after": "0.15" });
        res.end("slow down");
        return;
      }
      ok()(_req, res, hit);
    };
    const client = createSecDocumentClient(fast);
    const started = performance.now();
    const doc = await client.fetchDocument(`${base}/doc`);
    expect(doc.attempts).toBe(3);
    expect(hits["/doc"]).toBe(3);
    // Two pauses of 150 ms, not the 5-20 ms backoff.
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("retries 500s and 503s, then succeeds", async () => {
    handlers["/doc"] = (req, res, hit) => {
      if (hit <= 2) {
        res.writeHead(hit === 1 ? 500 : 503);
        res.end();
        return;
      }
      ok()(req, res, hit);
    };
    const doc = await createSecDocumentClient(fast).fetchDocument(`${base}/doc`);
    expect(doc.attempts).toBe(3);
  });

  it("retries a response that stalls past the timeout", async () => {
    handlers["/slow"] = async (req, res, hit) => {
      if (hit === 1) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        if (!res.destroyed) ok()(req, res, hit);
        return;
      }
      ok()(req, res, hit);
    };
    const doc = await createSecDocumentClient(fast).fetchDocument(`${base}/slow`);
    expect(doc.attempts).toBe(2);
  });

  it("retries a body that stalls midway", async () => {
    handlers["/stall"] = async (_req, res, hit) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<html><body>");
      if (hit === 1) return; // never ends: the client must give up on it and ask again
      res.end(`${DOC}</body></html>`);
    };
    const doc = await createSecDocumentClient(fast).fetchDocument(`${base}/stall`);
    expect(doc.attempts).toBe(2);
    expect(doc.text).toContain("Item&#160;1.01");
  });

  it("gives up after its retries with a one-line error naming the document", async () => {
    handlers["/Archives/edgar/data/9/down.htm"] = (_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><head><title>Bad\nGateway</title></head></html>");
    };
    const error = await failure(
      createSecDocumentClient({ ...fast, retries: 2 }).fetchDocument(
        `${base}/Archives/edgar/data/9/down.htm?token=secret#frag`,
      ),
    );
    expect(hits["/Archives/edgar/data/9/down.htm"]).toBe(3);
    expect(error.kind).toBe("server");
    expect(error.message).toBe(
      `SEC document ${base}/Archives/edgar/data/9/down.htm: HTTP 502 "Bad Gateway"; gave up after 3 attempts`,
    );
    expect(error.message).not.toContain("secret");
  });

  it("does not retry a 404, and says so in one line", async () => {
    const error = await failure(createSecDocumentClient(fast).fetchDocument(`${base}/missing.htm`));
    expect(hits["/missing.htm"]).toBe(1);
    expect(error.kind).toBe("not-found");
    expect(error.message).toBe(`SEC document ${base}/missing.htm: HTTP 404 "Not Found"`);
  });

  it("explains a 403 (the SEC's answer to undeclared tools) without retrying", async () => {
    handlers["/doc"] = (_req, res) => {
      res.writeHead(403);
      res.end("Undeclared Automated Tool");
    };
    const error = await failure(createSecDocumentClient(fast).fetchDocument(`${base}/doc`));
    expect(hits["/doc"]).toBe(1);
    expect(error.kind).toBe("forbidden");
    expect(error.message).toMatch(/HTTP 403 \(.*SEC_USER_AGENT/);
    expect(error.message).not.toContain("\n");
  });

  it("refuses a document over the size cap, declared or streamed", async () => {
    const big = "x".repeat(5_000);
    handlers["/declared"] = ok(big);
    handlers["/streamed"] = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" }); // chunked: no length up front
      for (let i = 0; i < 5; i++) res.write("y".repeat(1_000));
      res.end();
    };
    const client = createSecDocumentClient({ ...fast, maxBytes: 2_048 });
    const declared = await failure(client.fetchDocument(`${base}/declared`));
    const streamed = await failure(client.fetchDocument(`${base}/streamed`));
    expect([declared.kind, streamed.kind]).toEqual(["too-large", "too-large"]);
    expect(declared.message).toContain("2048-byte cap");
    expect(hits["/declared"]).toBe(1);
    expect(hits["/streamed"]).toBe(1);
  });

  it("retries a refused connection, then reports the network error", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(
      createSecDocumentClient({ ...fast, retries: 1 }).fetchDocument(`http://127.0.0.1:${port}/x`),
    );
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/network error: .*; gave up after 2 attempts$/);
  });

  it("paces its requests through the pacer at the configured rate", async () => {
    handlers["/doc"] = ok();
    const client = createSecDocumentClient({ ...fast, ratePerSecond: 20 });
    const began = performance.now();
    await Promise.all(Array.from({ length: 6 }, () => client.fetchDocument(`${base}/doc`)));
    expect(starts).toHaveLength(6);
    // Six starts at 20/s need five 50 ms gaps; the exact spacing is tested on fake timers in
    // tests/sources/rate-limit.test.ts. Here only a floor: load can lengthen it, never shorten it.
    expect(performance.now() - began).toBeGreaterThanOrEqual(200);
  });

  it("decodes the charset the server declares", async () => {
    handlers["/latin"] = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=windows-1252" });
      res.end(Buffer.from([0x43, 0x61, 0x66, 0xe9])); // "Café"
    };
    const doc = await createSecDocumentClient(fast).fetchDocument(`${base}/latin`);
    expect(doc.text).toBe("Café");
  });

  it("refuses what is not an http(s) URL before any request", async () => {
    const client = createSecDocumentClient(fast);
    expect((await failure(client.fetchDocument("file:///etc/passwd"))).kind).toBe("url");
    expect((await failure(client.fetchDocument("not a url"))).kind).toBe("url");
    expect(Object.keys(hits)).toEqual([]);
  });

  it("warns once when no User-Agent was declared", async () => {
    handlers["/doc"] = ok();
    const warnings: string[] = [];
    const client = createSecDocumentClient({
      ...fast,
      userAgent: undefined,
      logger: { info: () => {}, warn: (m) => warnings.push(m) },
    });
    await client.fetchDocument(`${base}/doc`);
    await client.fetchDocument(`${base}/doc`);
    expect(agents).toEqual([DEFAULT_USER_AGENT, DEFAULT_USER_AGENT]);
    expect(warnings.filter((w) => w.includes("SEC_USER_AGENT"))).toHaveLength(1);
  });

  it("uses an injected fetch", async () => {
    const seen: string[] = [];
    const client = createSecDocumentClient({
      ...fast,
      fetch: async (input, init) => {
        seen.push(`${String(input)} ${new Headers(init?.headers).get("user-agent")}`);
        return new Response("<p>Item 8.01</p>", { status: 200 });
      },
    });
    const doc = await client.fetchDocument("https://www.sec.gov/Archives/edgar/data/1/x.htm");
    expect(doc.text).toBe("<p>Item 8.01</p>");
    expect(seen).toEqual([
      "https://www.sec.gov/Archives/edgar/data/1/x.htm Fintra tests ops@fintra.example",
    ]);
  });
});

describe("secConfigFromEnv", () => {
  it("defaults to 8 requests/s and a User-Agent that names the variable", () => {
    expect(secConfigFromEnv({})).toEqual({ userAgent: DEFAULT_USER_AGENT, ratePerSecond: 8 });
  });

  it("reads SEC_USER_AGENT and SEC_RATE_PER_SEC", () => {
    expect(
      secConfigFromEnv({ SEC_USER_AGENT: " Fintra ops@fintra.example ", SEC_RATE_PER_SEC: "5" }),
    ).toEqual({ userAgent: "Fintra ops@fintra.example", ratePerSecond: 5 });
  });

  it("refuses a rate above the SEC's 10/s, or not a number", () => {
    expect(() => secConfigFromEnv({ SEC_RATE_PER_SEC: "12" })).toThrow(/at most 10/);
    expect(() => secConfigFromEnv({ SEC_RATE_PER_SEC: "fast" })).toThrow(SecDocumentError);
  });
});

describe("lazySec (the Resources' SEC client)", () => {
  it("builds one client on first use and keeps it; the environment's settings are checked then", () => {
    const sec = lazySec({ SEC_USER_AGENT: "Fintra tests ops@fintra.example" });
    expect(sec()).toBe(sec());
    expect(lazySec({})()).not.toBe(sec());
    const refused = lazySec({ SEC_RATE_PER_SEC: "fast" });
    expect(() => refused()).toThrow(SecDocumentError);
  });
});
