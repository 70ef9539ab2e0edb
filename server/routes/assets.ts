/**
 * The status API and the rematerialize door:
 *   GET  /api/assets                      every asset's freshness, latest run, checks; open alerts
 *   GET  /api/assets/:key/why?partition=  the gate's decisions (missing, running, blocked deps)
 *   POST /api/assets/:key/materialize     sends fintra/asset.requested {partition?, scope?, force?, downstream?}
 * Input is checked with the event catalogue's schemas (inngest.config.ts), the
 * same ones the functions apply; every refusal is `{error: "<one line>"}`.
 */
import { Hono } from "hono";
import { z } from "zod";
import { dateSchema, describeZodError } from "../../inngest.config.ts";
import { type AssetGraph, unknownAssetMessage } from "../../runtime/graph.ts";
import { assetStatuses, whyNot } from "../../runtime/status.ts";
import { jsonBody, jsonBodyLimit, Refusal, type Sender, sendAssetRequest } from "../requests.ts";

const whyQuery = z.strictObject({ partition: dateSchema.optional() });

export function assetRoutes(options: Sender & { graph: AssetGraph }) {
  const { graph, resources } = options;
  const app = new Hono();

  const known = (key: string) => graph.assets.has(key);

  app.get("/", async (c) => {
    const { db, now } = await resources();
    const [assets, alerts] = await Promise.all([
      assetStatuses(db, graph, now()),
      db.ledger.alerts({ status: "open" }),
    ]);
    return c.json({ asOf: now().toISOString(), assets, alerts });
  });

  app.get("/:key/why", async (c) => {
    const key = c.req.param("key");
    if (!known(key)) return c.json({ error: unknownAssetMessage(key, graph.order) }, 404);
    const query = whyQuery.safeParse(c.req.query());
    if (!query.success) return c.json({ error: describeZodError(query.error) }, 400);
    const { partition } = query.data;
    const { db } = await resources();
    return c.json({
      asset: key,
      partition: partition ?? null,
      decisions: await whyNot(db, key, partition),
    });
  });

  app.post("/:key/materialize", jsonBodyLimit, async (c) => {
    const key = c.req.param("key");
    if (!known(key)) return c.json({ error: unknownAssetMessage(key, graph.order) }, 404);
    try {
      const sent = await sendAssetRequest(options, key, await jsonBody(c));
      return c.json(sent, 202);
    } catch (error) {
      if (error instanceof Refusal) return c.json({ error: error.message }, error.status);
      throw error;
    }
  });

  return app;
}
