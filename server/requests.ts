/**
 * The admin API's two actions, shared by its JSON routes and the pages' forms:
 * check a request with the event catalogue's schemas (the ones the functions
 * apply), refuse weekends and future days before anything is sent, then send
 * `fintra/asset.requested` or `fintra/ticker.requested`.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Inngest } from "inngest";
import { normalizeScope, normalizeTicker } from "../db/scope.ts";
import {
  assetRequested,
  describeZodError,
  type MaterializeRequest,
  materializeRequestSchema,
  tickerRequested,
} from "../inngest.config.ts";
import { PartitionError, resolvePartition } from "../runtime/partitions.ts";
import type { Resources } from "../runtime/resources.ts";

/** A refusal the operator can read in one line. */
export class Refusal extends Error {
  readonly status: 400 | 413 | 415;

  constructor(message: string, status: 400 | 413 | 415 = 400) {
    super(message);
    this.status = status;
  }
}

/** A request is a few hundred bytes; 100 tickers stay under 3 KB. */
const MAX_BODY_BYTES = 16 * 1024;

export const jsonBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json({ error: `body is larger than ${MAX_BODY_BYTES} bytes` }, 413),
});

const isJson = (contentType: string) =>
  /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/**
 * The request body as JSON: no body at all means `{}`; anything else must be
 * JSON sent as JSON (a form or text/plain post, which any web page can make,
 * is refused).
 */
export async function jsonBody(c: Context): Promise<unknown> {
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

/** Sends one event; Inngest's client by default, the demo's in-process runner otherwise. */
export type SendEvent = (event: { name: string; data: Record<string, unknown> }) => Promise<{
  ids: string[];
}>;

export interface Sender {
  send: SendEvent;
  resources: () => Promise<Resources>;
}

/** Inngest's client as a SendEvent. */
export const inngestSender =
  (client: Inngest): SendEvent =>
  (event) =>
    client.send(event);

/** Weekends and future days are refused here, not after the event is sent. */
async function checkTradingDay(partition: string | undefined, sender: Sender): Promise<void> {
  if (partition === undefined) return;
  try {
    resolvePartition(partition, (await sender.resources()).now());
  } catch (error) {
    if (error instanceof PartitionError) throw new Refusal(error.message);
    throw error;
  }
}

/** Checks a materialize request (scope normalised) and sends it for `asset`. */
export async function sendAssetRequest(sender: Sender, asset: string, body: unknown) {
  const parsed = materializeRequestSchema.safeParse(body);
  if (!parsed.success) throw new Refusal(describeZodError(parsed.error));
  const { scope, ...rest } = parsed.data;
  const normalized = normalizeScope(scope);
  const request: MaterializeRequest = normalized ? { ...rest, scope: normalized } : rest;
  await checkTradingDay(request.partition, sender);
  const { ids } = await sender.send(assetRequested.create({ asset, ...request }));
  return { sent: assetRequested.name, ids, asset, ...request };
}

/** Checks a ticker request (`{partition?}`) and sends the whole graph for one company. */
export async function sendTickerRequest(sender: Sender, ticker: string, body: unknown) {
  const input = body && typeof body === "object" ? body : {};
  const parsed = tickerRequested.schema.safeParse({ ...input, ticker });
  if (!parsed.success) throw new Refusal(describeZodError(parsed.error));
  const data = { ...parsed.data, ticker: normalizeTicker(parsed.data.ticker) };
  await checkTradingDay(data.partition, sender);
  const { ids } = await sender.send(tickerRequested.create(data));
  return { sent: tickerRequested.name, ids, ...data };
}
