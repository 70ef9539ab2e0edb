/** The HTTP app through `app.request`: health and the Inngest endpoint in dev mode. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore, type Store } from "../../db/index.ts";
import { createFunctions } from "../../functions/index.ts";
import { createInngestClient } from "../../inngest.config.ts";
import type { Resources } from "../../runtime/resources.ts";
import { createApp } from "../../server/app.ts";
import { checkInngestMode, startServer } from "../../server/index.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(() => store.close());

function app(resources: () => Promise<Resources>) {
  const client = createInngestClient({ isDev: true });
  const { graph } = createTestGraph();
  return createApp({
    client,
    functions: createFunctions({ client, graph, resources }),
    graph,
    resources,
  });
}

describe("GET /health", () => {
  it("is ok when the database answers and migrations are current", async () => {
    const res = await app(async () => testResources(store, new Date())).request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      database: { dialect: "pglite", reachable: true },
      migrations: { pending: [] },
      functions: 9,
    });
  });

  it("is 503 with the pending migrations named", async () => {
    const fresh = await openStore({ pgliteDir: "memory" });
    try {
      const res = await app(async () => testResources(fresh, new Date())).request("/health");
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; migrations: { pending: string[] } };
      expect(body.status).toBe("migrations pending");
      expect(body.migrations.pending[0]).toBe("0001_ledger.sql");
    } finally {
      await fresh.close();
    }
  });

  it("is 503 'database unreachable' when the database cannot be opened, with no details", async () => {
    const res = await app(async () => {
      throw new Error(
        'cannot connect to DATABASE_URL (postgres://db.internal:5432/prod): role "fintra_rw" ...',
      );
    }).request("/health");
    expect(res.status).toBe(503);
    // The route is open: who and where the database is stays in the server log.
    expect(await res.json()).toEqual({ status: "database unreachable" });
  });
});

describe("/api/inngest", () => {
  it("introspects in dev mode: a function per asset and its failure handler, ticker, backfill and alerts", async () => {
    const res = await app(async () => testResources(store, new Date())).request("/api/inngest");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mode: "dev", function_count: 14 });
  });
});

describe("inngest mode", () => {
  it("needs a signing key outside dev mode", () => {
    expect(checkInngestMode({ INNGEST_DEV: "1" })).toBe("dev");
    expect(checkInngestMode({ INNGEST_SIGNING_KEY: "signkey-prod-abc" })).toBe("cloud");
    expect(() => checkInngestMode({})).toThrow(/INNGEST_SIGNING_KEY is not set/);
    expect(() => checkInngestMode({ INNGEST_DEV: "0" })).toThrow(/INNGEST_SIGNING_KEY/);
  });

  it.each(["0", "false", "FALSE", "no", "No", "off", "OFF", " false ", ""])(
    "INNGEST_DEV=%j is not dev mode",
    (value) => {
      expect(() => checkInngestMode({ INNGEST_DEV: value })).toThrow(/INNGEST_SIGNING_KEY/);
      expect(
        checkInngestMode({ INNGEST_DEV: value, INNGEST_SIGNING_KEY: "signkey-prod-abc" }),
      ).toBe("cloud");
    },
  );

  it.each(["1", "true", "yes", "http://127.0.0.1:8288"])("INNGEST_DEV=%j is dev mode", (value) => {
    expect(checkInngestMode({ INNGEST_DEV: value })).toBe("dev");
  });

  it("serves in the mode it checked: INNGEST_DEV=off is cloud for the SDK too, not a dev server at http://off", async () => {
    const key = "signkey-prod-0123456789abcdef0123456789abcdef";
    vi.stubEnv("INNGEST_SIGNING_KEY", key);
    vi.stubEnv("INNGEST_DEV", "off");
    const env = { INNGEST_DEV: "off", INNGEST_SIGNING_KEY: key, FINTRA_PGLITE_DIR: "memory" };
    const server = await startServer({ port: 0, env });
    try {
      // Cloud mode wants a signed request; dev mode would answer anyone with its introspection.
      const res = await fetch(`${server.url}/api/inngest`);
      const body = (await res.json()) as { mode?: string };
      expect(body.mode).not.toBe("dev");
      expect(res.status).not.toBe(200);
    } finally {
      await server.close();
      vi.unstubAllEnvs();
    }
  });
});
