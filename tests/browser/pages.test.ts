/**
 * The operator's pages in a real browser: headless Chromium (Debian's, driven by
 * playwright-core) against the real server on loopback, over a store the CLI's demo
 * built (60 sandbox instruments, a year of prices). Forms send their events through
 * the test bus to the real Inngest functions. Every test signs in through /login,
 * records its console errors and every URL its pages asked for, and fails on an
 * error or on a request for another host. Screenshots go to test-output/screenshots.
 *
 * Chromium is FINTRA_CHROMIUM, else /usr/bin/chromium; without it the suite fails
 * (apt-get install chromium), it is not skipped.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { graph } from "../../assets/index.ts";
import { run } from "../../cli/main.ts";
import { openStore, type Store } from "../../db/index.ts";
import { createFunctions } from "../../functions/index.ts";
import { silentLogger } from "../../runtime/log.ts";
import { openResources, type Resources } from "../../runtime/resources.ts";
import { assetStatuses } from "../../runtime/status.ts";
import { type StartedServer, startServer } from "../../server/index.ts";
import type { SendEvent } from "../../server/requests.ts";
import { InngestBus } from "../helpers/inngest-bus.ts";
import { testResources } from "../helpers/resources.ts";

// What the functions passed to page.evaluate use of the browser's globals: the project
// compiles without the DOM library, and these stay local to this module.
declare const document: { cookie: string };
declare function getComputedStyle(element: unknown): { fill: string };

const DAY = "2026-11-25";
const NOW = new Date(`${DAY}T23:00:00Z`);
const TOKEN = "browser-test-admin-token-7c1e";
const CHROMIUM = process.env.FINTRA_CHROMIUM || "/usr/bin/chromium";
const SCREENSHOTS = fileURLToPath(new URL("../../test-output/screenshots/", import.meta.url));
const VIEWPORT = { width: 1400, height: 900 };

/** The rect fill of a graph node in each state (server/pages/static/fintra.css). */
const NODE_FILLS: Record<string, string> = {
  fresh: "rgb(220, 252, 231)",
  stale: "rgb(254, 243, 199)",
  running: "rgb(219, 234, 254)",
  waiting: "rgb(226, 232, 240)",
  failed: "rgb(254, 226, 226)",
  missing: "rgb(244, 244, 245)",
};

const dir = mkdtempSync(join(tmpdir(), "fintra-browser-"));
let db: Store | undefined;
let resources: Resources;
let server: StartedServer | undefined;
let browser: Browser | undefined;
let base: string;
const bus = new InngestBus();
/** What the pages' forms sent, with the ids the server was given back. */
const sent: { id: string; name: string; data: Record<string, unknown> }[] = [];

/** The server's sender: the event goes to the real functions on the bus and runs to the end. */
const send: SendEvent = async (event) => {
  const id = `pages-${sent.length + 1}`;
  sent.push({ id, name: event.name, data: event.data });
  await bus.drain({ id, name: event.name, data: event.data });
  return { ids: [id] };
};

/** Why Chromium cannot be launched, in one line, or null when it can. */
function chromiumProblem(): string | null {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM}: apt-get install chromium (or set FINTRA_CHROMIUM to its path)`;
  }
}
const missingChromium = chromiumProblem();

async function buildDemoStore(): Promise<void> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  err.on("data", (c: Buffer) => chunks.push(c));
  const code = await run(
    ["demo", "--tickers", "60", "--years", "1", "--dir", dir],
    { stdout: out, stderr: err, env: {} },
    { graph, openResources, now: () => NOW },
  );
  if (code !== 0) {
    throw new Error(`the demo exited ${code}:\n${Buffer.concat(chunks).toString("utf8")}`);
  }
}

beforeAll(async () => {
  // Nothing to set up without a browser: every test fails on it (beforeEach), none is skipped.
  if (missingChromium) return;
  await buildDemoStore();
  db = await openStore({ pgliteDir: dir });
  resources = testResources(db, NOW);
  // The fixture: the demo built the whole day.
  const statuses = await assetStatuses(db, graph, NOW);
  expect(statuses.filter((s) => s.state !== "fresh").map((s) => `${s.key}: ${s.state}`)).toEqual(
    [],
  );
  bus.register(
    createFunctions({
      client: bus.client,
      graph,
      resources: async () => resources,
      log: silentLogger,
    }),
  );
  server = await startServer({
    port: 0,
    hostname: "127.0.0.1",
    env: { INNGEST_DEV: "1", FINTRA_ADMIN_TOKEN: TOKEN, LOG_LEVEL: "silent" },
    openResources: async () => resources,
    send,
  });
  base = `http://127.0.0.1:${new URL(server.url).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  // The server closes the store it was given; closing again is a no-op.
  await server?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions, as text. */
  errors: string[];
  /** Every URL any page of the context asked for, including ones routed away. */
  requests: string[];
}

const sessions: Session[] = [];
beforeEach(() => {
  if (missingChromium) throw new Error(missingChromium);
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.context.close();
});

/** Whether a URL names a host other than this machine (data: and about: stay here). */
function leavesMachine(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === "data:" || protocol === "about:" || protocol === "blob:") return false;
  return !["127.0.0.1", "localhost", "[::1]"].includes(hostname);
}

/** A fresh browser context (no cookies) that records errors and requests. */
async function openSession(): Promise<Session> {
  if (!browser) throw new Error("the browser did not start");
  const context = await browser.newContext({ viewport: VIEWPORT });
  const errors: string[] = [];
  const requests: string[] = [];
  context.on("request", (r) => requests.push(r.url()));
  // Recorded above and asserted on; aborted here too, so a failing test stays offline.
  await context.route("**/*", (route) =>
    leavesMachine(route.request().url()) ? route.abort("blockedbyclient") : route.continue(),
  );
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message} (${page.url()})`));
  const session = { context, page, errors, requests };
  sessions.push(session);
  return session;
}

/** A session signed in through the login form. */
async function signedIn(): Promise<Session> {
  const session = await openSession();
  const { page } = session;
  await page.goto(`${base}/login`);
  await page.fill('input[name="token"]', TOKEN);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
  return session;
}

/** No console errors, and nothing asked of another host. */
function expectClean(session: Session): void {
  expect(session.errors).toEqual([]);
  expect(session.requests.filter(leavesMachine)).toEqual([]);
  expect(session.requests.length).toBeGreaterThan(0);
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** A uPlot chart drawn into its holder: data-drawn set, a canvas of non-zero size. */
async function expectDrawn(page: Page, chart: string): Promise<void> {
  const holder = page.locator(`div.chart[data-chart="${chart}"]`);
  await page.locator(`div.chart[data-chart="${chart}"][data-drawn]`).waitFor({ timeout: 10_000 });
  expect(Number(await holder.getAttribute("data-drawn"))).toBeGreaterThan(0);
  const canvas = holder.locator("canvas").first();
  const box = await canvas.boundingBox();
  expect(box?.width).toBeGreaterThan(0);
  expect(box?.height).toBeGreaterThan(0);
  const size = await canvas.evaluate((c) => {
    const { width, height } = c as unknown as { width: number; height: number };
    return [width, height];
  });
  expect(size[0]).toBeGreaterThan(0);
  expect(size[1]).toBeGreaterThan(0);
}

// Generous: a browser and a PGlite server share two cores with the rest of the suite.
describe("the operator's pages in Chromium", { timeout: 120_000 }, () => {
  it("sends a visitor without a session to /login, refuses a wrong token, signs in with the right one", async () => {
    const session = await openSession();
    const { page, context } = session;
    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/login?next=%2F`);
    await screenshot(page, "login");

    await page.fill('input[name="token"]', "not-the-token");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/login` && r.request().method() === "POST"),
      page.click('button[type="submit"]'),
    ]);
    expect(refused.status()).toBe(401);
    expect(await page.locator("p.error").textContent()).toBe("That is not the admin token.");
    expect(await context.cookies()).toEqual([]);

    await page.fill('input[name="token"]', TOKEN);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
    expect(await page.locator("h1").textContent()).toBe(`Asset graph for ${DAY}`);
    const cookie = (await context.cookies()).find((c) => c.name === "fintra_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(cookie?.value).not.toContain(TOKEN);
    // HttpOnly: the page's scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain("fintra_session");

    // The 401 answer to the wrong token is the one error the browser may report here.
    session.errors = session.errors.filter((e) => !e.includes("status of 401"));
    expectClean(session);
  });

  it("draws one node per asset, coloured by its state, each a link to its page", async () => {
    const session = await signedIn();
    const { page } = session;
    const expected = new Map(
      (await assetStatuses(db!, graph, NOW)).map((s) => [s.key, s.state as string]),
    );
    const nodes = await page.locator("a.node").evaluateAll((links) =>
      links.map((a) => ({
        asset: a.getAttribute("data-asset"),
        state: a.getAttribute("data-state"),
        classes: a.getAttribute("class"),
        fill: getComputedStyle(a.querySelector("rect")).fill,
      })),
    );
    expect(nodes).toHaveLength(graph.order.length);
    expect(nodes.map((n) => n.asset).sort()).toEqual([...graph.order].sort());
    for (const node of nodes) {
      const state = expected.get(node.asset ?? "");
      expect(node, node.asset ?? "").toMatchObject({ state, fill: NODE_FILLS[state ?? ""] });
      expect(node.classes?.split(" ")).toContain(state);
    }
    // The demo left every asset fresh (beforeAll); the one rematerialized here (industry_stats)
    // has no dependents to turn stale, so this holds in any order.
    expect(nodes.filter((n) => n.state === "fresh")).toHaveLength(nodes.length);
    await screenshot(page, "graph");

    await Promise.all([
      page.waitForURL(`${base}/assets/fintra_snapshots`),
      page.click('a.node[data-asset="fintra_snapshots"]'),
    ]);
    expect(await page.locator("h1").textContent()).toMatch(/^fintra_snapshots /);
    expectClean(session);
  });

  it("lists the same assets as a table", async () => {
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/?view=table`);
    const rows = await page
      .locator("tbody tr[data-asset]")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-asset")));
    expect(rows.sort()).toEqual([...graph.order].sort());
    await screenshot(page, "table");
    await page.click('thead a:text-is("rows")');
    await page.waitForURL(`${base}/?view=table&sort=rows&dir=asc`);
    expectClean(session);
  });

  it("shows a company's snapshot cards and draws its closes", async () => {
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/tickers/AAPL`);
    const blocks = await page
      .locator("section.card[data-block]")
      .evaluateAll((cards) => cards.map((c) => c.getAttribute("data-block")));
    expect(blocks).toEqual([
      "FGOS",
      "Valuation",
      "IFS",
      "Moat",
      "Sentiment",
      "Dividends",
      "Relative return",
      "Verdict",
    ]);
    expect(await page.locator("h2").first().textContent()).toBe(`Snapshot of ${DAY}`);
    await expectDrawn(page, "ticker-prices");
    await screenshot(page, "ticker");
    expectClean(session);
  });

  it("draws the checks page's two charts", async () => {
    const session = await signedIn();
    const { page } = session;
    await page.goto(`${base}/checks`);
    await expectDrawn(page, "checks-counts");
    await expectDrawn(page, "checks-shares");
    expect(await page.locator("tbody tr[data-day]").count()).toBe(30);
    await screenshot(page, "checks");
    expectClean(session);
  });

  it("logs no console error and asks no other host on any page", async () => {
    const session = await openSession();
    const { page } = session;
    await page.goto(`${base}/login`);
    await page.fill('input[name="token"]', TOKEN);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
    const paths = [
      "/",
      "/?view=table",
      "/checks",
      "/tickers/AAPL",
      ...graph.order.map((key) => `/assets/${key}`),
    ];
    for (const path of paths) {
      const response = await page.goto(`${base}${path}`);
      expect(response?.status(), path).toBe(200);
      // Every chart drawn (or told "no data yet"): charts.js ran to the end.
      const charts = await page.locator("div.chart[data-chart]").count();
      const done = await page
        .locator("div.chart[data-chart]")
        .evaluateAll(
          (hs) =>
            hs.filter((h) => h.hasAttribute("data-drawn") || h.textContent === "no data yet")
              .length,
        );
      expect(done, path).toBe(charts);
    }
    // The search box, as typed.
    await page.fill('input[name="q"]', "aapl");
    await Promise.all([
      page.waitForURL(`${base}/tickers/AAPL`),
      page.press('input[name="q"]', "Enter"),
    ]);
    expectClean(session);
    expect(session.requests.some((u) => u.endsWith("/static/uplot.js"))).toBe(true);
  });

  // industry_stats reads stored tables only (no FMP) and feeds nothing: a forced run leaves
  // every other asset as the demo left it.
  it("rematerializes an asset from its page: the event runs its function, the ledger has the run", async () => {
    const session = await signedIn();
    const { page } = session;
    const before = await db!.ledger.history({ asset: "industry_stats", limit: 100 });
    await page.goto(`${base}/assets/industry_stats`);
    await page.check('form.action input[name="force"]');
    const [posted] = await Promise.all([
      page.waitForResponse(
        (r) =>
          r.url() === `${base}/assets/industry_stats/materialize` &&
          r.request().method() === "POST",
      ),
      page.click('form.action button[type="submit"]'),
    ]);
    expect(posted.status()).toBe(303);
    await page.locator("p.flash").waitFor();
    const event = sent.at(-1);
    expect(event).toMatchObject({
      name: "fintra/asset.requested",
      data: { asset: "industry_stats", partition: DAY, force: true },
    });
    expect(await page.locator("p.flash").textContent()).toBe(
      `sent fintra/asset.requested (event ${event?.id})`,
    );

    const ran = bus.executions.filter((e) => e.event.id === event?.id);
    expect(ran.map((e) => e.functionId)).toEqual([expect.stringContaining("industry_stats")]);
    expect(ran[0]?.error).toBeUndefined();
    const after = await db!.ledger.history({ asset: "industry_stats", limit: 100 });
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toMatchObject({
      asset: "industry_stats",
      partition: DAY,
      status: "succeeded",
      trigger: "requested",
      executor: "inngest",
    });
    expect(before.map((m) => m.id)).not.toContain(after[0]?.id);
    // The page shows the new run.
    const runs = page
      .locator("h2", { hasText: "materializations" })
      .locator("xpath=following-sibling::table[1]");
    expect(await runs.locator("tbody tr", { hasText: "requested" }).count()).toBe(1);
    await expectDrawn(page, "asset-history");
    await screenshot(page, "asset");
    expectClean(session);
  });
});
