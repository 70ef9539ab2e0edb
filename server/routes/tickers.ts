/**
 * The per-ticker debug door of the admin API:
 *   POST /api/tickers/:ticker/materialize   sends fintra/ticker.requested {ticker, partition?}
 * The body is `{partition?}` as JSON (or none); refusals are `{error: "<one line>"}`.
 */
import { Hono } from "hono";
import { jsonBody, jsonBodyLimit, Refusal, type Sender, sendTickerRequest } from "../requests.ts";

export function tickerRoutes(options: Sender) {
  const app = new Hono();
  app.post("/:ticker/materialize", jsonBodyLimit, async (c) => {
    try {
      const sent = await sendTickerRequest(options, c.req.param("ticker"), await jsonBody(c));
      return c.json(sent, 202);
    } catch (error) {
      if (error instanceof Refusal) return c.json({ error: error.message }, error.status);
      throw error;
    }
  });
  return app;
}
