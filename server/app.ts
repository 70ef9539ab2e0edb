/**
 * The HTTP surface: Inngest's endpoint (the dev server and Inngest Cloud
 * call it to register and run functions), a health check that says whether
 * the database answers and its migrations are current, the admin API (asset
 * status, why not, rematerialize, run one ticker) behind FINTRA_ADMIN_TOKEN,
 * and the operator's pages (server/pages) behind the same token.
 */
import { Hono } from "hono";
import type { Inngest, InngestFunction } from "inngest";
import { serve } from "inngest/hono";
import type { AssetGraph } from "../runtime/graph.ts";
import { type Logger, silentLogger } from "../runtime/log.ts";
import type { Resources } from "../runtime/resources.ts";
import { adminAuth } from "./admin-auth.ts";
import { pageRoutes } from "./pages/index.ts";
import { inngestSender, type SendEvent } from "./requests.ts";
import { assetRoutes } from "./routes/assets.ts";
import { tickerRoutes } from "./routes/tickers.ts";

export interface AppOptions {
  client: Inngest;
  functions: InngestFunction.Any[];
  graph: AssetGraph;
  resources: () => Promise<Resources>;
  /** FINTRA_ADMIN_TOKEN; without one, admin routes are open only in dev mode. */
  adminToken?: string;
  dev?: boolean;
  /** Where /health's failures are explained (the answer itself says only "database unreachable"). */
  log?: Logger;
  /** How the admin API and the pages send events (default: the Inngest client). */
  send?: SendEvent;
}

export function createApp({
  client,
  functions,
  graph,
  resources,
  adminToken,
  dev,
  log = silentLogger,
  send = inngestSender(client),
}: AppOptions): Hono {
  const app = new Hono();
  app.on(["GET", "PUT", "POST"], "/api/inngest", serve({ client, functions }));
  const auth = { token: adminToken, dev: dev ?? false };
  for (const path of ["/api/assets", "/api/assets/*", "/api/tickers/*"]) {
    app.use(path, adminAuth(auth));
  }
  app.route("/api/assets", assetRoutes({ send, graph, resources }));
  app.route("/api/tickers", tickerRoutes({ send, resources }));

  app.get("/health", async (c) => {
    try {
      const { db } = await resources();
      await db.ping();
      const migrations = await db.migrationStatus();
      const current = migrations.pending.length === 0;
      return c.json(
        {
          status: current ? "ok" : "migrations pending",
          database: { dialect: db.dialect, reachable: true },
          migrations: { applied: migrations.applied.length, pending: migrations.pending },
          functions: functions.length,
        },
        current ? 200 : 503,
      );
    } catch (error) {
      // /health is open: the reason (user, host, database) goes to the log only.
      log.warn({ err: error }, "health: database unreachable");
      return c.json({ status: "database unreachable" }, 503);
    }
  });

  // Last: the pages answer every other path (and say 404 for what they do not know).
  app.route("/", pageRoutes({ send, graph, resources, auth, log }));
  return app;
}
