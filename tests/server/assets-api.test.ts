/**
 * The status API and the rematerialize door through `app.request`, over the
 * test graph with a real ledger filled by in-process runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { materialize } from "../../assets/materialize.ts";
import type { Resources } from "../../assets/resources.ts";
import type { AssetStatus } from "../../assets/status.ts";
import type { Store } from "../../db/index.ts";
import { createFunctions } from "../../functions/index.ts";
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
});

describe("POST /api/assets/:key/materialize", () => {
  it("sends fintra/asset.requested with the body's options", async () => {
    const res = await app().request("/api/assets/prices/materialize", {
      method: "POST",
      ...auth,
      body: JSON.stringify({ partition: "2026-11-26", force: true, downstream: true }),
    });
    expect(res.status).toBe(202);
    expect(bus.sent.at(-1)).toMatchObject({
      name: "fintra/asset.requested",
      data: { asset: "prices", partition: "2026-11-26", force: true, downstream: true },
    });
  });

  it("refuses a weekend, a bad body and an unknown asset", async () => {
    const post = (path: string, body: unknown) =>
      app().request(path, { method: "POST", ...auth, body: JSON.stringify(body) });
    const weekend = await post("/api/assets/prices/materialize", { partition: "2026-11-28" });
    expect(weekend.status).toBe(400);
    expect(((await weekend.json()) as { error: string }).error).toMatch(/Saturday|future/);
    expect((await post("/api/assets/prices/materialize", { force: "yes" })).status).toBe(400);
    expect((await post("/api/assets/nope/materialize", {})).status).toBe(404);
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
