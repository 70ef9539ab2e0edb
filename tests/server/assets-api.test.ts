/**
 * The status API and the rematerialize door through `app.request`, over the
 * test graph with a real ledger filled by in-process runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { createFunctions } from "../../functions/index.ts";
import { materialize } from "../../runtime/materialize.ts";
import type { Resources } from "../../runtime/resources.ts";
import type { AssetStatus } from "../../runtime/status.ts";
import { createApp } from "../../server/app.ts";
import { InngestBus } from "../helpers/inngest-bus.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const NOW = new Date("2026-11-27T23:00:00Z");
const TOKEN = "s3cret-admin-token";
let store: Store;
let resources: Resources;
const t = createTestGraph();
const bus = new InngestBus();

function app(options: { token?: string; dev?: boolean } = { token: TOKEN }) {
  const functions = createFunctions({
    client: bus.client,
    graph: t.graph,
    resources: async () => resources,
  });
  return createApp({
    client: bus.client,
    functions,
    graph: t.graph,
    resources: async () => resources,
    ...(options.token ? { adminToken: options.token } : {}),
    dev: options.dev ?? false,
  });
}
const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
const jsonPost = (body: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { ...auth.headers, "content-type": "application/json", ...headers },
  body,
});

beforeAll(async () => {
  store = await openTestStore();
  resources = testResources(store, NOW);
  await materialize(t.graph, "*", resources, { partition: "2026-11-27" });
  // prices is rematerialized alone: its dependents are now stale.
  await materialize(t.graph, "prices", resources, { partition: "2026-11-27", force: true });
  t.failing.add("financials");
  await materialize(t.graph, "financials", resources, { partition: "2026-11-27", force: true });
  t.failing.clear();
});
afterAll(() => store.close());

describe("GET /api/assets", () => {
  it("tells fresh, stale and failed assets apart, with their latest runs and checks", async () => {
    const res = await app().request("/api/assets", auth);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assets: AssetStatus[] };
    const byKey = Object.fromEntries(body.assets.map((a) => [a.key, a]));
    expect(byKey.universe).toMatchObject({
      state: "fresh",
      expected: "2026-11-27",
      partitioned: false,
    });
    expect(byKey.prices).toMatchObject({
      state: "fresh",
      latest: { status: "succeeded", rows: 4 },
    });
    expect(byKey.financials).toMatchObject({
      state: "failed",
      reason: "financials exploded on purpose",
    });
    expect(byKey.valuation).toMatchObject({
      state: "stale",
      reason: "upstream rematerialized since: prices",
    });
    expect(byKey.snapshot?.state).toBe("stale");
    expect(byKey.prices?.lastSuccess?.seconds).toBeGreaterThanOrEqual(0);
  });
});

describe("GET /api/assets/:key/why", () => {
  it("lists the gate's decisions for a day", async () => {
    await materialize(t.graph, "valuation", resources, { partition: "2026-11-27" });
    const res = await app().request("/api/assets/valuation/why?partition=2026-11-27", auth);
    const body = (await res.json()) as {
      decisions: { decision: string; reason: string; blocked: string[] }[];
    };
    expect(body.decisions[0]).toMatchObject({
      decision: "wait",
      reason: "last run of financials failed",
      blocked: ["financials"],
    });
  });

  it("rejects unknown assets and bad dates", async () => {
    const unknown = await app().request("/api/assets/valuaton/why", auth);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: 'unknown asset "valuaton"; did you mean valuation?',
    });
    expect(
      (await app().request("/api/assets/valuation/why?partition=yesterday", auth)).status,
    ).toBe(400);
  });

  it("checks the day and the query keys with the shared schemas", async () => {
    const impossible = await app().request("/api/assets/valuation/why?partition=2026-02-30", auth);
    expect(impossible.status).toBe(400);
    expect(await impossible.json()).toEqual({
      error: 'partition: bad date "2026-02-30": expected a calendar date as YYYY-MM-DD',
    });
    const misspelt = await app().request("/api/assets/valuation/why?partiton=2026-11-27", auth);
    expect(misspelt.status).toBe(400);
    expect(await misspelt.json()).toEqual({ error: 'unknown key "partiton"' });
  });
});

describe("POST /api/assets/:key/materialize", () => {
  it("sends fintra/asset.requested with the body's options", async () => {
    const res = await app().request(
      "/api/assets/prices/materialize",
      jsonPost(JSON.stringify({ partition: "2026-11-25", force: true, downstream: true })),
    );
    expect(res.status).toBe(202);
    expect(bus.sent.at(-1)).toMatchObject({
      name: "fintra/asset.requested",
      data: { asset: "prices", partition: "2026-11-25", force: true, downstream: true },
    });
  });

  it("refuses a weekend, a bad body and an unknown asset", async () => {
    const post = (path: string, body: unknown) =>
      app().request(path, jsonPost(JSON.stringify(body)));
    const weekend = await post("/api/assets/prices/materialize", { partition: "2026-11-28" });
    expect(weekend.status).toBe(400);
    expect(((await weekend.json()) as { error: string }).error).toMatch(/Saturday|future/);
    expect((await post("/api/assets/prices/materialize", { force: "yes" })).status).toBe(400);
    expect((await post("/api/assets/nope/materialize", {})).status).toBe(404);
  });
});

describe("POST /api/assets/:key/materialize: malformed input (finding 5)", () => {
  const post = (body: string, headers?: Record<string, string>) =>
    app().request("/api/assets/prices/materialize", jsonPost(body, headers));

  /** The answer is a refusal of one line, and no event left the server. */
  async function expectRefused(res: Response, status: number, error: string | RegExp) {
    const sentBefore = bus.sent.length;
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error).toMatch(error);
    expect(body.error).not.toContain("\n");
    expect(bus.sent.length).toBe(sentBefore);
  }

  it("refuses a body that is not JSON instead of reading it as {}", async () => {
    // A forced request for a past day must never become an unforced one for today.
    const sentBefore = bus.sent.length;
    const res = await post('{"partition": "2026-11-25", "force": true');
    expect(bus.sent.length).toBe(sentBefore);
    await expectRefused(res, 400, /^body is not valid JSON$/);
    await expectRefused(await post(" "), 400, /^body is not valid JSON$/);
    await expectRefused(await post("[]"), 400, /^expected object, received array$/);
  });

  it("refuses unknown keys, naming them", async () => {
    const res = await post(JSON.stringify({ partiton: "2026-11-25", force: true }));
    await expectRefused(res, 400, /^unknown key "partiton"$/);
    const nested = await post(JSON.stringify({ scope: { limit: -5, ticker: ["AAPL"] } }));
    await expectRefused(
      nested,
      400,
      /^scope\.limit: must be a positive whole number; scope: unknown key "ticker"$/,
    );
  });

  it("refuses scopes the ledger could not hold", async () => {
    const many = Array.from({ length: 101 }, (_, i) => `T${i}`);
    await expectRefused(
      await post(JSON.stringify({ scope: { tickers: many } })),
      400,
      /^scope\.tickers: at most 100 tickers in one scope \(got 101\)$/,
    );
    await expectRefused(
      await post(JSON.stringify({ scope: { tickers: "AAPL" } })),
      400,
      /^scope\.tickers: expected a list of tickers$/,
    );
    await expectRefused(
      await post(JSON.stringify({ scope: { tickers: ["AA PL"] } })),
      400,
      /^scope\.tickers: bad ticker "AA PL"$/,
    );
  });

  it("answers 413 to a body over 16 KB, with or without a content-length", async () => {
    const big = JSON.stringify({ partition: "2026-11-25", pad: "x".repeat(1024 * 1024) });
    await expectRefused(await post(big), 413, /^body is larger than 16384 bytes$/);
    // Streamed (no content-length): the limit still holds while reading.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await app().request("/api/assets/prices/materialize", {
      method: "POST",
      headers: { ...auth.headers, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectRefused(streamed, 413, /^body is larger than 16384 bytes$/);
  });

  it("refuses a body not sent as JSON (a form or text any web page can post)", async () => {
    const body = JSON.stringify({ partition: "2026-11-25" });
    await expectRefused(
      await post(body, { "content-type": "text/plain;charset=UTF-8" }),
      415,
      /^body must be sent as content-type: application\/json$/,
    );
    await expectRefused(
      await post("force=true", { "content-type": "application/x-www-form-urlencoded" }),
      415,
      /content-type: application\/json/,
    );
  });

  it("takes no body at all as {} and normalises the scope it sends", async () => {
    const bare = await app().request("/api/assets/prices/materialize", { method: "POST", ...auth });
    expect(bare.status).toBe(202);
    expect(bus.sent.at(-1)).toMatchObject({ data: { asset: "prices" } });
    expect(Object.keys(bus.sent.at(-1)?.data ?? {})).toEqual(["asset"]);
    const scoped = await post(JSON.stringify({ scope: { tickers: ["msft", " aapl", "MSFT"] } }));
    expect(scoped.status).toBe(202);
    expect(bus.sent.at(-1)?.data).toEqual({
      asset: "prices",
      scope: { tickers: ["AAPL", "MSFT"] },
    });
  });
});

describe("admin auth", () => {
  it("needs the bearer token, compared exactly", async () => {
    expect((await app().request("/api/assets")).status).toBe(401);
    const wrong = { headers: { authorization: `Bearer ${TOKEN}x` } };
    expect((await app().request("/api/assets", wrong)).status).toBe(401);
    expect((await app().request("/api/assets", auth)).status).toBe(200);
  });

  it("is closed without a token outside dev mode, open in dev mode", async () => {
    const closed = await app({ dev: false }).request("/api/assets");
    expect(closed.status).toBe(503);
    expect(await closed.json()).toEqual({
      error: "FINTRA_ADMIN_TOKEN is not configured: admin routes are closed",
    });
    expect((await app({ dev: true }).request("/api/assets")).status).toBe(200);
  });
});
