/**
 * The HTTP surface: Inngest's endpoint (the dev server and Inngest Cloud
 * call it to register and run functions) and a health check that says
 * whether the database answers and its migrations are current.
 */
import { Hono } from "hono";
import type { Inngest, InngestFunction } from "inngest";
import { serve } from "inngest/hono";
import type { Resources } from "../assets/resources.ts";

export interface AppOptions {
  client: Inngest;
  functions: InngestFunction.Any[];
  resources: () => Promise<Resources>;
}

export function createApp({ client, functions, resources }: AppOptions): Hono {
  const app = new Hono();
  app.on(["GET", "PUT", "POST"], "/api/inngest", serve({ client, functions }));

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
      return c.json(
        {
          status: "database unreachable",
          database: { reachable: false },
          error: (error as Error).message,
        },
        503,
      );
    }
  });

  return app;
}
