/**
 * Fault rows at the doors that are not the CLI: malformed admin API bodies, malformed
 * events reaching a function, and the database down when the server starts. Each drives the
 * real app or functions on the row's own database and reports what a client would see; the
 * suite then checks that no table changed and no ledger row was left behind.
 */
import { createFunctions } from "../../functions/index.ts";
import { createApp } from "../../server/app.ts";
import { startServer } from "../../server/index.ts";
import { InngestBus } from "../helpers/inngest-bus.ts";
import { freePort, TcpProxy } from "../helpers/tcp-proxy.ts";
import { DAY, evening, graph } from "./harness.ts";
import type { FaultRow } from "./rows.ts";

const TOKEN = "fault-matrix-admin-token";

/** These doors must refuse before anything reads FMP. */
const noFmp = (): never => {
  throw new Error("FMP must not be reached by refused input");
};

/** Bodies a careless or hostile client sends, with the answer each must get. */
const BAD_BODIES: { body: string; type: string; status: number }[] = [
  { body: `{"partition": "${DAY}", "force": true`, type: "application/json", status: 400 },
  { body: `{"partiton": "${DAY}"}`, type: "application/json", status: 400 },
  { body: JSON.stringify({ scope: { tickers: "AAPL" } }), type: "application/json", status: 400 },
  { body: JSON.stringify({ pad: "x".repeat(1 << 20) }), type: "application/json", status: 413 },
  { body: `partition=${DAY}`, type: "application/x-www-form-urlencoded", status: 415 },
];

export const badHttpInput: FaultRow = {
  id: "bad-http-input",
  fault: "malformed admin API bodies (bad JSON, misspelt key, scope as a string, 1 MB, a form)",
  expected: "400/400/400/413/415, one line each; no event sent, nothing written",
  selection: "datos_eod",
  async inject({ clone }) {
    const bus = new InngestBus();
    const db = await clone.store();
    const app = createApp({
      client: bus.client,
      functions: [],
      graph,
      resources: async () => evening(db, noFmp),
      adminToken: TOKEN,
      dev: false,
    });
    const answers: string[] = [];
    let multiLine = 0;
    for (const { body, type } of BAD_BODIES) {
      const res = await app.request("/api/assets/datos_eod/materialize", {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": type },
        body,
      });
      const { error } = (await res.json()) as { error?: string };
      if (!error || error.includes("\n")) multiLine++;
      answers.push(String(res.status));
    }
    const fine = answers.join(",") === BAD_BODIES.map((b) => b.status).join(",");
    return {
      exitCode: fine && multiLine === 0 && bus.sent.length === 0 ? 0 : 1,
      line: `answers ${answers.join(",")}; ${bus.sent.length} events sent${multiLine ? `; ${multiLine} without a one-line error` : ""}`,
      warnings: [],
    };
  },
  expect: { exitCode: [0], line: /^answers 400,400,400,413,415; 0 events sent$/ },
  recovery: "none",
};

/** Event payloads that must be refused when a function receives them. */
const BAD_EVENTS: Record<string, unknown>[] = [
  { asset: "datos_eod", partition: DAY, scope: { limit: -5 } },
  { asset: "datos_eod", partition: DAY, scope: { tickers: "AAPL" } },
  {
    asset: "datos_eod",
    partition: DAY,
    scope: { tickers: Array.from({ length: 5000 }, (_, i) => `T${i}`) },
  },
  { asset: "datos_eod", partiton: DAY },
];

export const badEventInput: FaultRow = {
  id: "bad-event-input",
  fault:
    "malformed fintra/asset.requested events (limit -5, tickers as a string, 5,000 tickers, partiton)",
  expected: "each run refused at once (NonRetriableError, one line); no ledger row, no event",
  selection: "datos_eod",
  async inject({ clone }) {
    const db = await clone.store();
    const before = (await db.ledger.history({ limit: 1_000 })).length;
    const refusals: string[] = [];
    let sent = 0;
    for (const data of BAD_EVENTS) {
      const bus = new InngestBus();
      bus.register(
        createFunctions({
          client: bus.client,
          graph,
          resources: async () => evening(db, noFmp),
        }),
      );
      const runs = await bus.deliver({ name: "fintra/asset.requested", data });
      const error = runs[0]?.error as Error | undefined;
      refusals.push(
        error?.name === "NonRetriableError" && !error.message.includes("\n") ? "refused" : "ran",
      );
      sent += bus.sent.length;
    }
    const rows = (await db.ledger.history({ limit: 1_000 })).length - before;
    return {
      exitCode: refusals.every((r) => r === "refused") && rows === 0 && sent === 0 ? 0 : 1,
      line: `${refusals.join(",")}; ${rows} ledger rows, ${sent} events`,
      warnings: [],
    };
  },
  expect: { exitCode: [0], line: /^refused,refused,refused,refused; 0 ledger rows, 0 events$/ },
  recovery: "none",
};

export const databaseDownAtStart: FaultRow = {
  id: "db-down-at-start",
  fault: "the database down when `fintra serve` starts, then back",
  expected:
    "/health 503 'database unreachable' while down, then 200 and the admin API answers, no restart",
  selection: "datos_eod",
  backends: ["postgres"],
  async inject({ clone }) {
    const url = new URL(clone.env.DATABASE_URL as string);
    const proxy = new TcpProxy(await freePort(), {
      host: url.hostname,
      port: Number(url.port || 5432),
    });
    url.port = String(proxy.port);
    const server = await startServer({
      port: 0,
      env: { DATABASE_URL: url.toString(), INNGEST_DEV: "1", FINTRA_ADMIN_TOKEN: TOKEN },
    });
    const seen: string[] = [];
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const text = await res.text();
      seen.push(`${path} ${res.status}`);
      return { status: res.status, text };
    };
    try {
      const down = await get("/health");
      const downBody = down.text === JSON.stringify({ status: "database unreachable" });
      await proxy.start();
      await get("/health");
      await get("/api/assets");
      const ok = seen.join(",") === "/health 503,/health 200,/api/assets 200" && downBody;
      return { exitCode: ok ? 0 : 1, line: seen.join(", "), warnings: [] };
    } finally {
      await server.close();
      await proxy.stop();
    }
  },
  expect: { exitCode: [0], line: /^\/health 503, \/health 200, \/api\/assets 200$/ },
  recovery: "none",
};
