/**
 * The status API and the rematerialize door:
 *   GET  /api/assets                      every asset's freshness, latest run, checks
 *   GET  /api/assets/:key/why?partition=  the gate's decisions (missing, running, blocked deps)
 *   POST /api/assets/:key/materialize     sends fintra/asset.requested {partition?, scope?, force?, downstream?}
 * Input is checked with the event catalogue's schemas (inngest.config.ts), the
 * same ones the functions apply; every refusal is `{error: "<one line>"}`.
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Inngest } from "inngest";
import { z } from "zod";
import { normalizeScope } from "../../db/scope.ts";
import {
  assetRequested,
  dateSchema,
  describeZodError,
  type MaterializeRequest,
  materializeRequestSchema,
} from "../../inngest.config.ts";
import { type AssetGraph, unknownAssetMessage } from "../../runtime/graph.ts";
import { PartitionError, resolvePartition } from "../../runtime/partitions.ts";
import type { Resources } from "../../runtime/resources.ts";
import { assetStatuses, whyNot } from "../../runtime/status.ts";

/** A materialize request is a few hundred bytes; 100 tickers stay under 3 KB. */
const MAX_BODY_BYTES = 16 * 1024;

const whyQuery = z.strictObject({ partition: dateSchema.optional() });

/** A refusal the operator can read in one line. */
class Refusal extends Error {
  readonly status: 400 | 413 | 415;

  constructor(message: string, status: 400 | 413 | 415) {
    super(message);
    this.status = status;
  }
}

const isJson = (contentType: string) =>
  /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/**
 * The request body as JSON: no body at all means `{}`; anything else must be
 * JSON sent as JSON (a form or text/plain post, which any web page can make,
 * is refused).
 */
async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text === "") return {};
  if (!isJson(c.req.header("content-type") ?? "")) {
    throw new Refusal("body must be sent as content-type: application/json", 415);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Refusal("body is not valid JSON", 400);
  }
}

/** The body as a materialize request (scope normalised), or a Refusal naming what is wrong. */
function materializeRequest(body: unknown): MaterializeRequest {
  const parsed = materializeRequestSchema.safeParse(body);
  if (!parsed.success) throw new Refusal(describeZodError(parsed.error), 400);
  const { scope, ...rest } = parsed.data;
  const normalized = normalizeScope(scope);
  return normalized ? { ...rest, scope: normalized } : rest;
}

/** Weekends and future days are refused here, not after the event is sent. */
function checkTradingDay(request: MaterializeRequest, now: Date): void {
  if (request.partition === undefined) return;
  try {
    resolvePartition(request.partition, now);
  } catch (error) {
    if (error instanceof PartitionError) throw new Refusal(error.message, 400);
    throw error;
  }
}

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

  app.post(
    "/:key/materialize",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `body is larger than ${MAX_BODY_BYTES} bytes` }, 413),
    }),
    async (c) => {
      const key = c.req.param("key");
      if (!known(key)) return c.json({ error: unknownAssetMessage(key, graph.order) }, 404);
      let request: MaterializeRequest;
      try {
        request = materializeRequest(await jsonBody(c));
        checkTradingDay(request, (await resources()).now());
      } catch (error) {
        if (error instanceof Refusal) return c.json({ error: error.message }, error.status);
        throw error;
      }
      const { ids } = await client.send(assetRequested.create({ asset: key, ...request }));
      return c.json({ sent: assetRequested.name, ids, asset: key, ...request }, 202);
    },
  );

  return app;
}
