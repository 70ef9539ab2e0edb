/**
 * The status API and the rematerialize door:
 *   GET  /api/assets                      every asset's freshness, latest run, checks
 *   GET  /api/assets/:key/why?partition=  the gate's decisions (missing, running, blocked deps)
 *   POST /api/assets/:key/materialize     sends fintra/asset.requested {partition?, scope?, force?, downstream?}
 */
import { Hono } from "hono";
import type { Inngest } from "inngest";
import { z } from "zod";
import { type AssetGraph, unknownAssetMessage } from "../../assets/graph.ts";
import { PartitionError, resolvePartition } from "../../assets/partitions.ts";
import type { Resources } from "../../assets/resources.ts";
import { assetStatuses, whyNot } from "../../assets/status.ts";
import { assetRequested, scopeSchema } from "../../inngest.config.ts";

const materializeBody = z.object({
  partition: z.string().optional(),
  scope: scopeSchema.optional(),
  force: z.boolean().optional(),
  downstream: z.boolean().optional(),
});

export function assetRoutes(options: {
  client: Inngest;
  graph: AssetGraph;
  resources: () => Promise<Resources>;
}) {
  const { client, graph, resources } = options;
  const app = new Hono();

  const known = (key: string) => graph.assets.has(key);

  app.get("/", async (c) => {
    const { db, now } = await resources();
    const assets = await assetStatuses(db, graph, now());
    return c.json({ asOf: now().toISOString(), assets });
  });

  app.get("/:key/why", async (c) => {
    const key = c.req.param("key");
    if (!known(key)) return c.json({ error: unknownAssetMessage(key, graph.order) }, 404);
    const partition = c.req.query("partition");
    if (partition !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(partition)) {
      return c.json({ error: `bad partition "${partition}": expected YYYY-MM-DD` }, 400);
    }
    const { db } = await resources();
    return c.json({
      asset: key,
      partition: partition ?? null,
      decisions: await whyNot(db, key, partition),
    });
  });

  app.post("/:key/materialize", async (c) => {
    const key = c.req.param("key");
    if (!known(key)) return c.json({ error: unknownAssetMessage(key, graph.order) }, 404);
    const parsed = materializeBody.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success)
      return c.json({ error: parsed.error.issues.map((i) => i.message).join("; ") }, 400);
    const { now } = await resources();
    const body = parsed.data;
    try {
      if (body.partition !== undefined) resolvePartition(body.partition, now());
    } catch (error) {
      if (error instanceof PartitionError) return c.json({ error: error.message }, 400);
      throw error;
    }
    const { ids } = await client.send(assetRequested.create({ asset: key, ...body }));
    return c.json({ sent: "fintra/asset.requested", ids, asset: key, ...body }, 202);
  });

  return app;
}
