/**
 * What the Inngest dev server receives: with INNGEST_DEV pointing at a
 * loopback listener, a PUT to /api/inngest makes the SDK register every
 * function; the captured payload is checked against the asset graph.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph } from "../../assets/index.ts";
import { createFunctions } from "../../functions/index.ts";
import { RUN_KEY } from "../../functions/triggers.ts";
import { createInngestClient } from "../../inngest.config.ts";
import { createApp } from "../../server/app.ts";

interface RegisteredFunction {
  id: string;
  name: string;
  triggers: { event?: string; expression?: string; cron?: string }[];
  concurrency?: { limit: number; key?: string; scope?: string }[];
  debounce?: { period: string; key?: string };
  steps: Record<string, { runtime: { url: string } }>;
}

let listener: Server;
let registered: Promise<{ appName: string; functions: RegisteredFunction[] }>;
const previousDev = process.env.INNGEST_DEV;

beforeAll(async () => {
  registered = new Promise((resolve) => {
    listener = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url?.startsWith("/fn/register"))
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, modified: true }));
      });
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  process.env.INNGEST_DEV = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});
afterAll(() => {
  listener.close();
  if (previousDev === undefined) delete process.env.INNGEST_DEV;
  else process.env.INNGEST_DEV = previousDev;
});

describe("registration with the dev server", () => {
  it("lists a function per asset with its cron, request and dep filters and flow control, plus ticker, backfill and the two alert functions", async () => {
    const client = createInngestClient();
    const resources = async () => {
      throw new Error("registration needs no database");
    };
    const app = createApp({
      client,
      functions: createFunctions({ client, graph, resources }),
      graph,
      resources,
    });
    const res = await app.request("http://localhost:3000/api/inngest", { method: "PUT" });
    expect(res.status).toBe(200);
    const payload = await registered;
    expect(payload.appName).toBe("fintra");

    const byId = new Map(payload.functions.map((f) => [f.id, f]));
    for (const key of graph.order) {
      const fn = byId.get(`fintra-${key}`);
      expect(fn, key).toBeDefined();
      const def = graph.get(key);
      const triggers = fn?.triggers ?? [];
      expect(triggers).toContainEqual({
        event: "fintra/asset.requested",
        expression: `event.data.asset == '${key}'`,
      });
      if (def.cron) expect(triggers).toContainEqual({ cron: def.cron });
      if (def.deps.length > 0 && !def.cron) {
        expect(triggers).toContainEqual({
          event: "fintra/asset.materialized",
          expression: `event.data.asset in [${def.deps.map((d) => `'${d}'`).join(", ")}] && event.data.cascade == true`,
        });
      }
      const shared = def.sources?.includes("fmp")
        ? [{ limit: 2, key: "'fmp'", scope: "account" }]
        : [];
      expect(fn?.concurrency).toEqual([{ limit: 1, key: RUN_KEY }, ...shared]);
      expect(fn?.debounce).toMatchObject({ period: "10s", key: RUN_KEY });
      expect(Object.values(fn?.steps ?? {})[0]?.runtime.url).toContain(
        "http://localhost:3000/api/inngest",
      );
      expect(byId.get(`fintra-${key}-failure`)?.triggers[0]).toMatchObject({
        event: "inngest/function.failed",
      });
    }
    expect(byId.get("fintra-ticker-requested")?.triggers).toEqual([
      { event: "fintra/ticker.requested" },
    ]);
    expect(byId.get("fintra-backfill-requested")?.triggers).toEqual([
      { event: "fintra/backfill.requested" },
    ]);
    expect(byId.get("fintra-alert-webhook")?.triggers).toEqual([
      { event: "fintra/alert.raised" },
      { event: "fintra/alert.resolved" },
    ]);
    expect(byId.get("fintra-alert-watch")?.triggers).toEqual([
      { cron: "TZ=America/New_York */15 * * * 1-5" },
    ]);
    expect(payload.functions).toHaveLength(graph.order.length * 2 + 4);
  });
});
