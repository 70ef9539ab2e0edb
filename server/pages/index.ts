/**
 * The operator's pages, served by the same app as /api/inngest:
 *   GET  /                      the asset graph (?view=table: the same as a sortable table)
 *   GET  /assets/:key           one asset: runs, checks, the gate's decisions, last error
 *   GET  /tickers/:ticker       one company's snapshot, prices, figures, benchmarks, peers
 *   GET  /tickers?q=            the search box (to /tickers/:ticker)
 *   GET  /checks                the guide's daily figures over 30 trading days
 *   POST /assets/:key/materialize, /tickers/:ticker/materialize   the two forms
 *   GET|POST /login, POST /logout
 * Pages only read. The forms are the admin API's two actions (same schemas, same
 * sending function: server/requests.ts) behind the admin token and a CSRF token.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import { normalizeTicker } from "../../db/scope.ts";
import { tickerRequested } from "../../inngest.config.ts";
import type { AssetGraph } from "../../runtime/graph.ts";
import type { Logger } from "../../runtime/log.ts";
import { latestTradingDay, utcDate } from "../../runtime/partitions.ts";
import { assetStatuses } from "../../runtime/status.ts";
import { sameSecret } from "../admin-auth.ts";
import { Refusal, type Sender, sendAssetRequest, sendTickerRequest } from "../requests.ts";
import { assetPage } from "./asset-page.ts";
import { checksPage, loadChecks } from "./checks-page.ts";
import { graphPage, isSortKey } from "./graph-page.ts";
import { layout, type Markup, notice } from "./layout.ts";
import { loginPage } from "./login-page.ts";
import {
  access,
  csrfToken,
  endSession,
  type PageAuth,
  requireAccess,
  safeNext,
  startSession,
  validCsrf,
} from "./session.ts";
import { PUBLIC_STATIC, staticRoutes } from "./static.ts";
import { knownTicker, loadTicker, tickerPage } from "./ticker-page.ts";

export interface PageOptions extends Sender {
  graph: AssetGraph;
  auth: PageAuth;
  log: Logger;
}

const FLASH_COOKIE = "fintra_flash";

const BAD_TICKER =
  "a ticker is 1 to 20 letters, digits or . - ^ =, starting with a letter or digit";

/** Form fields arrive as strings; the schemas want the JSON the admin API takes. */
function formToRequest(form: Record<string, unknown>): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  if (typeof form.partition === "string" && form.partition !== "")
    request.partition = form.partition;
  if (form.force === "true") request.force = true;
  if (form.downstream === "true") request.downstream = true;
  return request;
}

/** The ticker in a URL, normalised, or null when the event schema refuses it. */
function parseTicker(raw: string): string | null {
  const parsed = tickerRequested.schema.shape.ticker.safeParse(raw);
  return parsed.success ? normalizeTicker(parsed.data) : null;
}

export function pageRoutes(options: PageOptions): Hono {
  const { graph, resources, auth, log } = options;
  const app = new Hono();

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    }),
  );
  // Before sign-in only the login page's stylesheet is served; the other files after it.
  const files = staticRoutes();
  app.get(`/static/${PUBLIC_STATIC}`, (c) =>
    files.fetch(new Request(new URL(`/${PUBLIC_STATIC}`, c.req.url))),
  );

  const render = (c: Context, title: string, body: Markup, status = 200, charts = false) =>
    c.html(
      layout({
        title,
        body,
        charts,
        csrf: csrfToken(c, auth),
        signedIn: access(c, auth) === "signed-in",
      }),
      status as 200,
    );

  app.get("/login", (c) =>
    c.html(
      loginPage({
        next: safeNext(c.req.query("next")),
        error: null,
        closed: !auth.token && !auth.dev,
      }),
    ),
  );
  app.post("/login", csrf(), async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(typeof form.next === "string" ? form.next : undefined);
    if (!auth.token) return c.redirect(next, 303);
    const given = typeof form.token === "string" ? form.token : "";
    if (!given || !sameSecret(given, auth.token)) {
      return c.html(loginPage({ next, error: "That is not the admin token.", closed: false }), 401);
    }
    startSession(c, auth.token);
    return c.redirect(next, 303);
  });

  const closed = (c: Context) =>
    render(
      c,
      "Closed",
      notice(
        "Closed",
        "FINTRA_ADMIN_TOKEN is not configured: the pages are closed outside dev mode.",
      ),
      503,
    );
  app.use("*", requireAccess(auth, closed));
  app.route("/static", files);
  // Forms must come from these pages: same origin (Origin header) and this session's token.
  app.use("*", csrf());

  app.post("/logout", async (c) => {
    const form = await c.req.parseBody();
    if (!validCsrf(c, auth, form.csrf)) return c.text("bad or missing CSRF token", 403);
    endSession(c);
    return c.redirect("/login", 303);
  });

  const expectedDay = async () => latestTradingDay(utcDate((await resources()).now()));

  app.get("/", async (c) => {
    const { db, now } = await resources();
    const [statuses, alerts] = await Promise.all([
      assetStatuses(db, graph, now()),
      db.ledger.alerts({ status: "open", limit: 20 }),
    ]);
    const sort = c.req.query("sort");
    const view = {
      table: c.req.query("view") === "table",
      sort: isSortKey(sort) ? sort : null,
      desc: c.req.query("dir") === "desc",
    };
    const body = graphPage(graph, statuses, view, alerts);
    return render(c, "Asset graph", body);
  });

  // What the last form did, shown once on the page it returns to: a short-lived cookie, so
  // no link can make a page show a message of its own.
  const flash = (c: Context) => {
    const text = getCookie(c, FLASH_COOKIE);
    if (!text) return undefined;
    deleteCookie(c, FLASH_COOKIE, { path: "/" });
    const ok = text.startsWith("ok:");
    return { ok, text: text.slice(3) };
  };
  const setFlash = (c: Context, ok: boolean, text: string) =>
    setCookie(c, FLASH_COOKIE, `${ok ? "ok:" : "no:"}${text}`, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: 60,
    });

  app.get("/assets/:key", async (c) => {
    const key = c.req.param("key");
    const def = graph.assets.get(key);
    if (!def)
      return render(c, "Unknown asset", notice("Unknown asset", `no asset named "${key}"`), 404);
    const { db, now } = await resources();
    const [statuses, history, decisions, alerts] = await Promise.all([
      assetStatuses(db, graph, now()),
      db.ledger.history({ asset: key, limit: 30 }),
      db.ledger.decisions({ asset: key, limit: 10 }),
      db.ledger.alerts({ status: "open", asset: key, limit: 20 }),
    ]);
    const status = statuses.find((s) => s.key === key);
    if (!status) throw new Error(`no status for ${key}`);
    const body = assetPage({
      def,
      status,
      dependents: graph.dependents(key),
      history,
      decisions,
      lastError: history.find((m) => m.status === "failed") ?? null,
      csrf: csrfToken(c, auth),
      flash: flash(c),
      alerts,
    });
    return render(c, key, body, 200, true);
  });

  app.get("/tickers", (c) => {
    const ticker = parseTicker(c.req.query("q") ?? "");
    if (!ticker) return render(c, "Bad ticker", notice("Bad ticker", BAD_TICKER), 400);
    return c.redirect(`/tickers/${encodeURIComponent(ticker)}`, 303);
  });

  app.get("/tickers/:ticker", async (c) => {
    const raw = c.req.param("ticker");
    const ticker = parseTicker(raw);
    if (!ticker) return render(c, "Bad ticker", notice("Bad ticker", BAD_TICKER), 404);
    if (ticker !== raw) return c.redirect(`/tickers/${encodeURIComponent(ticker)}`, 301);
    const { db } = await resources();
    const name = await knownTicker(db, ticker);
    if (name === false) {
      return render(
        c,
        "Unknown ticker",
        notice("Unknown ticker", `${ticker} is not in fintra_universe`),
        404,
      );
    }
    const data = await loadTicker(db, ticker, await expectedDay());
    return render(
      c,
      ticker,
      tickerPage({ ...data, name, csrf: csrfToken(c, auth), flash: flash(c) }),
      200,
      true,
    );
  });

  app.get("/checks", async (c) => {
    const { db } = await resources();
    const data = await loadChecks(db, await expectedDay());
    return render(c, "Checks", checksPage(data), 200, true);
  });

  /** Sends a form's request and returns to the page with what happened. */
  const act = async (
    c: Context,
    back: string,
    send: (form: Record<string, unknown>) => Promise<string>,
  ) => {
    const form = await c.req.parseBody();
    if (!validCsrf(c, auth, form.csrf)) return c.text("bad or missing CSRF token", 403);
    try {
      setFlash(c, true, await send(form as Record<string, unknown>));
      return c.redirect(back, 303);
    } catch (error) {
      const refused = (text: string) => {
        setFlash(c, false, text);
        return c.redirect(back, 303);
      };
      if (error instanceof Refusal) return refused(error.message);
      // Inngest did not take the event (no dev server, a network fault): say so on the page.
      log.warn({ err: error }, "pages: event not sent");
      return refused(
        "the event was not sent: Inngest did not accept it (is the dev server or Inngest Cloud reachable?)",
      );
    }
  };

  app.post("/assets/:key/materialize", async (c) => {
    const key = c.req.param("key");
    if (!graph.assets.has(key))
      return render(c, "Unknown asset", notice("Unknown asset", `no asset named "${key}"`), 404);
    return act(c, `/assets/${key}`, async (form) => {
      const sent = await sendAssetRequest(options, key, formToRequest(form));
      return `sent ${sent.sent} (event ${sent.ids.join(", ")})`;
    });
  });

  app.post("/tickers/:ticker/materialize", async (c) => {
    const ticker = parseTicker(c.req.param("ticker"));
    if (!ticker) return render(c, "Bad ticker", notice("Bad ticker", BAD_TICKER), 404);
    return act(c, `/tickers/${encodeURIComponent(ticker)}`, async (form) => {
      const sent = await sendTickerRequest(options, ticker, formToRequest(form));
      return `sent ${sent.sent} (event ${sent.ids.join(", ")})`;
    });
  });

  return app;
}
