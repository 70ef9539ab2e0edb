/**
 * The HTTP surface: Inngest's endpoint (the dev server and Inngest Cloud
 * call it to register and run functions), a health check that says whether
 * the database answers and its migrations are current, and the admin API
 * (asset status, why not, rematerialize) behind FINTRA_ADMIN_TOKEN.
 */
import { Hono } from "hono";
import type { Inngest, InngestFunction } from "inngest";
import { serve } from "inngest/hono";
import type { AssetGraph } from "../runtime/graph.ts";
import { type Logger, silentLogger } from "../runtime/log.ts";
import type { Resources } from "../runtime/resources.ts";
import { adminAuth } from "./admin-auth.ts";
import { assetRoutes } from "./routes/assets.ts";

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
}

export function createApp({
  client,
  functions,
  graph,
  resources,
  adminToken,
  dev,
  log = silentLogger,
}: AppOptions): Hono {
  const app = new Hono();
  app.on(["GET", "PUT", "POST"], "/api/inngest", serve({ client, functions }));
  app.use("/api/assets/*", adminAuth({ token: adminToken, dev: dev ?? false }));
  app.use("/api/assets", adminAuth({ token: adminToken, dev: dev ?? false }));
  app.route("/api/assets", assetRoutes({ client, graph, resources }));

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

  return app;
}
