/**
 * The operator's pages through `app.request`, over the test graph with a real
 * ledger: who may open them (token, cookie, bearer, dev mode), what they show,
 * 404s for unknown names, and the two forms (CSRF, same origin, the event sent
 * and the run it causes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { createFunctions } from "../../functions/index.ts";
import { materialize } from "../../runtime/materialize.ts";
import type { Resources } from "../../runtime/resources.ts";
import { createApp } from "../../server/app.ts";
import { sessionValue } from "../../server/pages/session.ts";
import { InngestBus } from "../helpers/inngest-bus.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const DAY = "2026-11-27";
const NOW = new Date(`${DAY}T23:00:00Z`);
const TOKEN = "pages-admin-token-7c1d";
const ORIGIN = "http://localhost";
let store: Store;
let resources: Resources;
const t = createTestGraph();

function app(options: { token?: string; dev?: boolean; bus?: InngestBus } = { token: TOKEN }) {
  const bus = options.bus ?? new InngestBus();
  const functions = createFunctions({
    client: bus.client,
    graph: t.graph,
    resources: async () => resources,
  });
  bus.register(functions);
  return createApp({
    client: bus.client,
    functions,
    graph: t.graph,
    resources: async () => resources,
    ...(options.token ? { adminToken: options.token } : {}),
    dev: options.dev ?? false,
  });
}

const bearer = { authorization: `Bearer ${TOKEN}` };
const cookie = { cookie: `fintra_session=${sessionValue(TOKEN)}` };

/** The page's CSRF token (its hidden form field). */
function csrfOf(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error("no csrf field on the page");
  return match[1];
}

function formPost(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

beforeAll(async () => {
  store = await openTestStore();
  resources = testResources(store, NOW);
  await materialize(t.graph, "*", resources, { partition: DAY });
  t.failing.add("financials");
  await materialize(t.graph, "financials", resources, { partition: DAY, force: true });
  t.failing.clear();
});
afterAll(() => store.close());

describe("who may open the pages", () => {
  it("sends a visitor without a session to /login, keeping where they were going", async () => {
    const res = await app().request("/assets/prices?x=1");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(
      `/login?next=${encodeURIComponent("/assets/prices?x=1")}`,
    );
    const login = await app().request("/login");
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="token"');
  });

  it("signs in with the token: an HttpOnly, SameSite=Strict cookie that is not the token", async () => {
    const wrong = await app().request("/login", formPost({ token: "not-it", next: "/checks" }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("not the admin token");
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const res = await app().request("/login", formPost({ token: TOKEN, next: "/checks" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/checks");
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/^fintra_session=[\w-]+;/);
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Strict");
    expect(set).not.toContain(TOKEN);
    const value = set.split(";")[0] ?? "";
    expect((await app().request("/", { headers: { cookie: value } })).status).toBe(200);
  });

  it("never sends anyone elsewhere after login", async () => {
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const res = await app().request("/login", formPost({ token: TOKEN, next }));
      expect(res.headers.get("location")).toBe("/");
    }
  });

  it("takes the bearer header as well, and refuses a wrong one or a forged cookie", async () => {
    expect((await app().request("/", { headers: bearer })).status).toBe(200);
    const wrong = await app().request("/", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(303);
    const forged = await app().request("/", { headers: { cookie: `fintra_session=${TOKEN}` } });
    expect(forged.status).toBe(303);
  });

  it("is closed without a token outside dev mode, and open in dev mode", async () => {
    const closed = await app({ dev: false }).request("/");
    expect(closed.status).toBe(503);
    expect(await closed.text()).toContain("FINTRA_ADMIN_TOKEN is not configured");
    expect((await app({ dev: true }).request("/")).status).toBe(200);
  });

  it("serves scripts and styles from installed packages, only the login's style before sign-in", async () => {
    const style = await app().request("/static/fintra.css");
    expect(style.status).toBe(200);
    expect(style.headers.get("content-type")).toContain("text/css");
    expect((await app().request("/static/uplot.js")).status).toBe(303);
    const uplot = await app().request("/static/uplot.js", { headers: bearer });
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get("content-type")).toContain("javascript");
    expect(await uplot.text()).toContain("uPlot");
    for (const path of ["/static/..%2Fpackage.json", "/static/package.json"]) {
      expect((await app().request(path, { headers: bearer })).status).toBe(404);
    }
  });

  it("forbids inline scripts and foreign sources (Content-Security-Policy)", async () => {
    const res = await app().request("/", { headers: bearer });
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe("what the pages show", () => {
  it("draws one node per asset, coloured by its state, each linking to its page", async () => {
    const page = await (await app().request("/", { headers: bearer })).text();
    const nodes = [
      ...page.matchAll(
        /<a href="\/assets\/(\w+)" class="node (\w+)" data-asset="\w+" data-state="(\w+)"/g,
      ),
    ];
    expect(nodes.map((n) => n[1]).sort()).toEqual([...t.graph.order].sort());
    const state = Object.fromEntries(nodes.map((n) => [n[1], n[3]]));
    expect(state.universe).toBe("fresh");
    expect(state.financials).toBe("failed");
    for (const n of nodes) expect(n[2]).toBe(n[3]);
    expect(page).toContain(`Asset graph for ${DAY}`);
    expect(page).not.toContain(TOKEN);
  });

  it("lists the same as a table, sorted by the column asked for", async () => {
    const page = await (
      await app().request("/?view=table&sort=state&dir=asc", { headers: bearer })
    ).text();
    const states = [
      ...page.matchAll(/<tr data-asset="\w+">\s*<td>.*?<\/td>\s*<td><span class="state (\w+)">/gs),
    ].map((m) => m[1]);
    expect(states.length).toBe(t.graph.order.length);
    expect(states).toEqual([...states].sort());
    const rows = [...page.matchAll(/<tr data-asset="(\w+)"/g)].map((m) => m[1]);
    expect(new Set(rows)).toEqual(new Set(t.graph.order));
  });

  it("shows an asset's deps, runs, checks, the gate's decisions and its last error in full", async () => {
    const page = await (await app().request("/assets/financials", { headers: bearer })).text();
    expect(page).toContain('<a href="/assets/universe">universe</a>');
    expect(page).toMatch(/Last 2 materializations/);
    expect(page).toContain('data-chart="asset-history"');
    expect(page).toContain("financials exploded on purpose");
    expect(page).toContain("The gate's latest decisions");
    expect(page).toContain('action="/assets/financials/materialize"');
  });

  it("answers unknown assets and tickers with a 404 page, and bad tickers too", async () => {
    for (const path of [
      "/assets/nope",
      "/tickers/ZZZZ",
      "/tickers/%3Cscript%3E",
      "/nothing/here",
    ]) {
      const res = await app().request(path, { headers: bearer });
      expect(res.status, path).toBe(404);
      const text = await res.text();
      expect(text).not.toMatch(/at \w+ \(|node_modules|<script>/);
    }
    const search = await app().request("/tickers?q=%20aapl%20", { headers: bearer });
    expect(search.status).toBe(303);
    expect(search.headers.get("location")).toBe("/tickers/AAPL");
    expect((await app().request("/tickers?q=a%20b", { headers: bearer })).status).toBe(400);
  });

  it("shows the guide's figures for the last 30 trading days", async () => {
    const page = await (await app().request("/checks", { headers: bearer })).text();
    const days = [...page.matchAll(/<tr class="[^"]*" data-day="([\d-]+)"/g)].map((m) => m[1]);
    expect(days.length).toBe(30);
    expect(days[0]).toBe(DAY);
    expect(page).toContain('data-chart="checks-counts"');
  });
});

describe("the forms", () => {
  it("send fintra/asset.requested with the session's CSRF token, and the run follows", async () => {
    const bus = new InngestBus();
    const pages = app({ token: TOKEN, bus });
    const page = await (await pages.request("/assets/prices", { headers: cookie })).text();
    const before = (await store.ledger.history({ asset: "prices" })).length;
    const res = await pages.request(
      "/assets/prices/materialize",
      formPost({ csrf: csrfOf(page), partition: DAY, force: "true" }, cookie),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/assets/prices");
    expect(bus.sent).toEqual([
      expect.objectContaining({
        name: "fintra/asset.requested",
        data: { asset: "prices", partition: DAY, force: true },
      }),
    ]);
    const flash = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const shown = await (
      await pages.request("/assets/prices", { headers: { cookie: `${cookie.cookie}; ${flash}` } })
    ).text();
    expect(shown).toContain("sent fintra/asset.requested");

    await bus.drain();
    const after = await store.ledger.history({ asset: "prices" });
    expect(after.length).toBe(before + 1);
    expect(after[0]?.status).toBe("succeeded");
  });

  it("refuse a post without the CSRF token, from another origin, or without a session", async () => {
    const bus = new InngestBus();
    const pages = app({ token: TOKEN, bus });
    const page = await (await pages.request("/assets/prices", { headers: cookie })).text();
    const token = csrfOf(page);
    const noToken = await pages.request("/assets/prices/materialize", formPost({}, cookie));
    expect(noToken.status).toBe(403);
    const foreign = await pages.request(
      "/assets/prices/materialize",
      formPost({ csrf: token }, { ...cookie, origin: "https://evil.example" }),
    );
    expect(foreign.status).toBe(403);
    const anonymous = await pages.request("/assets/prices/materialize", formPost({ csrf: token }));
    expect(anonymous.status).toBe(401);
    expect(bus.sent).toEqual([]);
  });

  it("say why a request is refused, in one line, and send nothing", async () => {
    const bus = new InngestBus();
    const pages = app({ token: TOKEN, bus });
    const page = await (await pages.request("/assets/prices", { headers: cookie })).text();
    const res = await pages.request(
      "/assets/prices/materialize",
      formPost({ csrf: csrfOf(page), partition: "2026-11-22" }, cookie),
    );
    expect(res.status).toBe(303);
    const flash = decodeURIComponent((res.headers.get("set-cookie") ?? "").split(";")[0] ?? "");
    expect(flash).toMatch(/^fintra_flash=no:[^\n]*2026-11-22[^\n]*$/);
    expect(bus.sent).toEqual([]);
  });

  it("send fintra/ticker.requested for one company", async () => {
    const bus = new InngestBus();
    const pages = app({ token: TOKEN, bus });
    const page = await (await pages.request("/assets/prices", { headers: cookie })).text();
    const res = await pages.request(
      "/tickers/aaa/materialize",
      formPost({ csrf: csrfOf(page), partition: DAY }, cookie),
    );
    expect(res.status).toBe(303);
    expect(bus.sent).toEqual([
      expect.objectContaining({
        name: "fintra/ticker.requested",
        data: { ticker: "AAA", partition: DAY },
      }),
    ]);
  });
});

describe("POST /api/tickers/:ticker/materialize", () => {
  it("sends fintra/ticker.requested with the bearer token and refuses bad input in one line", async () => {
    const bus = new InngestBus();
    const api = app({ token: TOKEN, bus });
    const json = (body: string, headers: Record<string, string> = bearer) => ({
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    const ok = await api.request("/api/tickers/msft/materialize", json(`{"partition":"${DAY}"}`));
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ sent: "fintra/ticker.requested", ticker: "MSFT" });
    const bad = await api.request("/api/tickers/msft/materialize", json('{"partiton":"x"}'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unknown key "partiton"' });
    const badTicker = await api.request("/api/tickers/%20%20/materialize", json("{}"));
    expect(badTicker.status).toBe(400);
    const anonymous = await api.request("/api/tickers/msft/materialize", json("{}", {}));
    expect(anonymous.status).toBe(401);
    expect(bus.sent.map((e) => e.data)).toEqual([{ ticker: "MSFT", partition: DAY }]);
  });
});
