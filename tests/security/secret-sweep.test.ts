/**
 * The secret sweep: four distinctive secrets set at once (the FMP key, a
 * Supabase service-role key, the admin token, a DATABASE_URL password), the
 * product driven through its failure paths (an FMP that refuses the key and
 * echoes it back in its error body, Supabase refusing the key, the database
 * unreachable or refusing, Postgres up with a password in the URL, the admin
 * API with wrong tokens), and then everything it said is searched for them: pino logs,
 * whatever reached process.stdout/stderr and the console, CLI output, thrown
 * errors (inspected with their stacks, fields and causes), events sent, HTTP
 * answers, and a dump of every table of every store it wrote to.
 *
 * Every channel is also checked to have captured something real (the failure
 * it was driven into), so an empty capture cannot pass for a clean one. Each
 * test drives the failures it reads itself, in any order; the sweep of every
 * channel runs after all of them (the file's afterAll), and asks each channel
 * for something heard only when every test of the file ran.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { inspect } from "node:util";
import { type ServerType, serve } from "@hono/node-server";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it, type RunnerTask, vi } from "vitest";
import { graph } from "../../assets/index.ts";
import { run as runCli } from "../../cli/main.ts";
import { openPglite } from "../../db/adapters/pglite.ts";
import type { SqlExecutor } from "../../db/adapters/sql.ts";
import { SupabaseStore } from "../../db/adapters/supabase-store.ts";
import { openStore, type Store, storeConfigFromEnv } from "../../db/index.ts";
import { MIGRATIONS_DIR } from "../../db/migrate.ts";
import { SqlStore } from "../../db/sql-store.ts";
import { markRunFailed } from "../../functions/asset-function.ts";
import { createFunctions } from "../../functions/index.ts";
import { createLogger, type Logger } from "../../runtime/log.ts";
import { materialize } from "../../runtime/materialize.ts";
import { lazyFmp, lazySec, openResources, type Resources } from "../../runtime/resources.ts";
import { type StartedServer, startServer } from "../../server/index.ts";
import { createFmpClient } from "../../sources/fmp/index.ts";
import { type BusEvent, InngestBus } from "../helpers/inngest-bus.ts";
import { postgrestEmulator } from "../helpers/postgrest.ts";
import { FAST_RETRY, openTestStore } from "../helpers/store.ts";

const SECRETS = {
  "FMP key": "fmpkey-Q7w3Zx91sweep",
  "Supabase key": "sbrole-K4m8Tt62sweep",
  "admin token": "admtok-R2v6Hn05sweep",
  "database password": "dbpass-J9c1Lp37sweep",
} as const;

const DAY = "2026-12-04";
const NOW = new Date(`${DAY}T23:00:00Z`);
const MIGRATION_DIRS = [MIGRATIONS_DIR];

/** The names of the secrets `text` contains. */
function leaked(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}

/** Everything heard, by channel; each is checked for secrets and for being non-empty. */
const heard = new Map<string, string[]>();
function hear(channel: string, text: unknown): void {
  const list = heard.get(channel) ?? [];
  list.push(typeof text === "string" ? text : inspect(text, { depth: 8 }));
  heard.set(channel, list);
}
const channel = (name: string) => (heard.get(name) ?? []).join("\n");

function expectClean(name: string, text: string): void {
  expect({ channel: name, leaked: leaked(text) }).toEqual({ channel: name, leaked: [] });
}

/** A thrown value with everything a log line or a stack trace could show of it. */
function errorText(error: unknown): string {
  const e = error as Error;
  return [
    String(e?.message),
    String(e?.stack),
    inspect(error, { depth: 8, showHidden: true }),
  ].join("\n");
}

/** The error `promise` rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    hear("errors", errorText(error));
    return error;
  }
  throw new Error("expected a rejection");
}

function logStream(name: string): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      hear(name, String(chunk));
      done();
    },
  });
}
const captureLog = (name: string): Logger =>
  createLogger({ level: "debug", destination: logStream(name) });

/** Runs the CLI in process with `env`, capturing both streams. */
async function cli(
  env: NodeJS.ProcessEnv,
  argv: string[],
  open: (env: NodeJS.ProcessEnv) => Promise<Resources> = openResources,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (c: Buffer) => chunks.out.push(c));
  err.on("data", (c: Buffer) => chunks.err.push(c));
  const code = await runCli(
    argv,
    { stdout: out, stderr: err, env },
    { graph, now: () => NOW, openResources: open },
  );
  const result = {
    code,
    stdout: Buffer.concat(chunks.out).toString("utf8"),
    stderr: Buffer.concat(chunks.err).toString("utf8"),
  };
  hear("cli", `$ fintra ${argv.join(" ")} -> ${code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** A port nothing listens on (bound, then released). */
async function refusedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 1;
}

/** An FMP that refuses the key and, unlike FMP, echoes it back in its error body. */
async function startEchoingFmp(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const key = new URL(req.url ?? "/", "http://x").searchParams.get("apikey");
    res.writeHead(403, { "content-type": "application/json" });
    res.end(JSON.stringify({ "Error Message": `key ${key} may not call ${req.url}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every base table of the current schema as JSON lines, through `query`. */
async function dumpTables(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
): Promise<{ tables: string[]; text: string }> {
  const tables = (
    await query(
      `SELECT table_name::text AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    )
  ).map((r) => String(r.name));
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await query(`SELECT row_to_json(t)::text AS j FROM "${table}" t`);
    parts.push(`${table}:`, ...rows.map((r) => String(r.j)));
  }
  return { tables, text: parts.join("\n") };
}

// What the product writes outside our loggers: the CLI's logger and Hono's
// error handler go to process.stderr and the console.
const restores: Array<() => void> = [];
function tapProcessOutput(): void {
  for (const stream of [process.stdout, process.stderr] as const) {
    const name = stream === process.stdout ? "process.stdout" : "process.stderr";
    const spy = vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest) => {
      hear(name, String(chunk));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write);
    restores.push(() => spy.mockRestore());
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      hear("console", args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" "));
    });
    restores.push(() => spy.mockRestore());
  }
}

let echoingFmp: { url: string; close(): Promise<void> };
let store: Store;
let unreachableUrl: string;
const cliDir = mkdtempSync(join(tmpdir(), "fintra-secrets-"));
const pgliteDir = join(cliDir, "pglite");
const buses: InngestBus[] = [];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  tapProcessOutput();
  store = await openTestStore();
  echoingFmp = await startEchoingFmp();
  unreachableUrl = `postgres://fintra:${SECRETS["database password"]}@127.0.0.1:${await refusedPort()}/prod`;
});
// The file's task, to tell at the end whether every test of it ran.
let fileTask: RunnerTask | undefined;
afterEach(({ task }) => {
  fileTask = task.file;
});
afterAll(async () => {
  try {
    sweepChannels(fileTask !== undefined && everyTestRan([fileTask]));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await echoingFmp.close();
    await store.close();
    for (const restore of restores) restore();
    rmSync(cliDir, { recursive: true, force: true });
  }
});

/** Whether every test below `tasks` ran (none filtered out or skipped). */
function everyTestRan(tasks: readonly RunnerTask[]): boolean {
  return tasks.every((task) =>
    task.type === "suite"
      ? everyTestRan(task.tasks)
      : task.mode === "run" && (task.result?.state === "pass" || task.result?.state === "fail"),
  );
}

/**
 * The sweep, after every test: no channel heard a secret, and (when the whole file ran)
 * every channel heard something.
 */
function sweepChannels(wholeFile: boolean): void {
  if (wholeFile) {
    for (const name of ["logs", "server log", "cli", "errors", "http", "process.stderr"]) {
      expect(channel(name), name).not.toBe("");
    }
    expect(buses.flatMap((b) => b.sent).map((e: BusEvent) => e.name)).toContain(
      "fintra/asset.failed",
    );
  }
  heard.set("events", [JSON.stringify(buses.flatMap((b) => b.sent))]);
  // One assertion over every channel, so a leak names all the places it reached.
  const leaks = [...heard]
    .map(([name, texts]) => [name, leaked(texts.join("\n"))] as const)
    .filter(([, found]) => found.length > 0);
  expect(Object.fromEntries(leaks)).toEqual({});
}

/** The FMP-refused run in process on the test store: a failed run whose reason says 403. */
function fmpRefusedInProcess() {
  const fmp = createFmpClient({
    apiKey: SECRETS["FMP key"],
    baseUrl: echoingFmp.url,
    backoff: { minMs: 5, maxMs: 10 },
  });
  return materialize(
    graph,
    "fintra_universe",
    { db: store, fmp: () => fmp, sec: lazySec({}), now: () => NOW },
    { partition: DAY, log: captureLog("logs") },
  );
}

/** The CLI's store migrated, with the FMP-refused run failed in it: exit 1. */
async function fmpRefusedFromCli() {
  expect((await cli(operatorEnv(), ["db", "migrate"])).code).toBe(0);
  return cli(operatorEnv(), ["materialize", "fintra_universe", "--date", DAY]);
}

/** The environment of an operator who set every secret; `extra` picks the database. */
const operatorEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  FMP_API_KEY: SECRETS["FMP key"],
  FMP_BASE_URL: echoingFmp.url,
  FINTRA_ADMIN_TOKEN: SECRETS["admin token"],
  FINTRA_PGLITE_DIR: pgliteDir,
  LOG_LEVEL: "debug",
  ...extra,
});

describe("FMP refuses the key", () => {
  it("in process: the run fails naming the endpoint, not the key it was sent (and echoed)", async () => {
    const summary = await fmpRefusedInProcess();
    hear("errors", summary.outcomes);
    expect(summary.exitCode).toBe(1);
    expect(summary.outcomes[0]?.reason).toMatch(/403/);
    expect(summary.outcomes[0]?.reason).toMatch(/profile-bulk/);
    expectClean("outcome", inspect(summary, { depth: 8 }));
  });

  it("from the CLI: exit 1, a summary and logs without the key", async () => {
    const result = await fmpRefusedFromCli();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/fintra_universe\s+failed/);
    expectClean("cli", `${result.stdout}\n${result.stderr}`);
    // LOG_LEVEL=debug: the CLI's JSON log went to process.stderr.
    expect(channel("process.stderr")).toMatch(/"level"/);
  });

  it("under Inngest: the run's error, its failure handling and asset.failed carry no key", async () => {
    const bus = new InngestBus();
    buses.push(bus);
    const fmp = createFmpClient({
      apiKey: SECRETS["FMP key"],
      baseUrl: echoingFmp.url,
      backoff: { minMs: 5, maxMs: 10 },
    });
    const resources = async (): Promise<Resources> => ({
      db: store,
      fmp: () => fmp,
      sec: lazySec({}),
      now: () => NOW,
    });
    bus.register(
      createFunctions({ client: bus.client, graph, resources, log: captureLog("logs") }),
    );
    const request = {
      name: "fintra/asset.requested",
      data: { asset: "fintra_universe", partition: DAY, force: true },
    };
    const [execution] = await bus.deliver(request);
    expect(execution?.error).toBeTruthy();
    hear("errors", errorText(execution?.error));
    const [row] = await store.ledger.history({ asset: "fintra_universe", limit: 1 });
    await markRunFailed({
      resources,
      client: bus.client,
      asset: "fintra_universe",
      runId: row?.runId as string,
      originalEvent: request,
      error: execution?.error as Error,
    });
    const failed = bus.sent.find((e) => e.name === "fintra/asset.failed");
    expect(String(failed?.data.error)).toMatch(/403/);
    expectClean("events", JSON.stringify(bus.sent));
  });
});

describe("Supabase refuses the service-role key", () => {
  let emulatorDb: SqlExecutor;
  let emulatorUrl: string;

  beforeAll(async () => {
    emulatorDb = await openPglite();
    await new SqlStore(emulatorDb, MIGRATION_DIRS).migrate();
    const emulator = postgrestEmulator(emulatorDb, { apiKey: "the-project-key" });
    const server: ServerType = await new Promise((resolve) => {
      // Hono's node server passes its bindings as a second argument: not a RequestInit.
      const handle = (request: Request) => emulator.fetch(request);
      const s = serve({ fetch: handle, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    const address = server.address();
    emulatorUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    cleanups.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulatorDb.close();
    });
  });

  it("the adapter's errors name the refusal, not the key", async () => {
    const rejected = new SupabaseStore({
      url: emulatorUrl,
      serviceRoleKey: SECRETS["Supabase key"],
      retry: FAST_RETRY,
      migrationDirs: MIGRATION_DIRS,
    });
    for (const attempt of [
      rejected.migrationStatus(),
      rejected.ledger.history({ asset: "fintra_universe", limit: 1 }),
      rejected.ping(),
    ]) {
      const error = await rejection(attempt);
      expect(String((error as Error).message)).toMatch(/401|key|unauthori[sz]ed|JWT/i);
      expectClean("errors", errorText(error));
    }
  });

  it("from the CLI: one line on stderr without the key", async () => {
    const env = operatorEnv({
      SUPABASE_URL: emulatorUrl,
      SUPABASE_SERVICE_ROLE_KEY: SECRETS["Supabase key"],
    });
    for (const argv of [["materialize", "fintra_universe", "--date", DAY], ["status"]]) {
      const result = await cli(env, argv);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/^error: /m);
      expectClean("cli", `${result.stdout}\n${result.stderr}`);
    }
  });

  it("leaves nothing in the project's tables", async () => {
    const dump = await dumpTables((sql) => emulatorDb.query(sql));
    expect(dump.tables).toContain("fintra_materializations");
    expectClean("supabase tables", dump.text);
  });
});

describe("the database is unreachable", () => {
  it("openStore fails with a scrubbed 'cannot connect'", async () => {
    const error = await rejection(openStore(storeConfigFromEnv({ DATABASE_URL: unreachableUrl })));
    expect(String((error as Error).message)).toMatch(/cannot connect to DATABASE_URL/);
    expectClean("errors", errorText(error));
  });

  it("every CLI command that opens it fails with one clean line", async () => {
    const env = operatorEnv({ DATABASE_URL: unreachableUrl });
    for (const argv of [
      ["db", "migrate"],
      ["materialize", "fintra_universe", "--date", DAY],
      ["status"],
      ["sql", "SELECT 1"],
    ]) {
      const result = await cli(env, argv);
      expect(result.code, argv.join(" ")).not.toBe(0);
      expect(result.stderr).toMatch(/cannot connect to DATABASE_URL/);
      expectClean("cli", `${result.stdout}\n${result.stderr}`);
    }
  });

  it("under Inngest: the run's error and the events carry no password", async () => {
    const bus = new InngestBus();
    buses.push(bus);
    const env = operatorEnv({ DATABASE_URL: unreachableUrl });
    bus.register(
      createFunctions({
        client: bus.client,
        graph,
        resources: () => openResources(env),
        log: captureLog("logs"),
      }),
    );
    const [execution] = await bus.deliver({
      name: "fintra/asset.requested",
      data: { asset: "datos_eod", partition: DAY },
    });
    expect(errorText(execution?.error)).toMatch(/cannot connect to DATABASE_URL/);
    hear("errors", errorText(execution?.error));
    expectClean("errors", errorText(execution?.error));
    expectClean("events", JSON.stringify(bus.sent));
  });
});

const LOCAL_POSTGRES = process.env.DATABASE_URL;
describe.skipIf(!LOCAL_POSTGRES)("Postgres answers a URL with a password", () => {
  /** The local server's URL with our user, password and database put in. */
  const withLogin = (user: string, database: string) => {
    const url = new URL(LOCAL_POSTGRES as string);
    url.username = user;
    url.password = SECRETS["database password"];
    url.pathname = `/${database}`;
    return url.toString();
  };

  it("refuses an unknown role or database without echoing the password", async () => {
    const base = new URL(LOCAL_POSTGRES as string).pathname.slice(1);
    for (const url of [
      withLogin("no_such_role_sweep", base),
      withLogin("postgres", "no_such_db_sweep"),
    ]) {
      const error = await rejection(openStore(storeConfigFromEnv({ DATABASE_URL: url })));
      expect(String((error as Error).message)).toMatch(/does not exist/);
      expectClean("errors", errorText(error));
    }
  });

  it("up (trust auth takes any password): failing runs, bad SQL and /health stay clean", async () => {
    const user = new URL(LOCAL_POSTGRES as string).username || "postgres";
    const url = withLogin(user, new URL(LOCAL_POSTGRES as string).pathname.slice(1));
    const schema = `fintra_sweep_${process.pid}_${Date.now()}`;
    const open = async (env: NodeJS.ProcessEnv): Promise<Resources> => ({
      db: await openStore({ ...storeConfigFromEnv(env), schema }),
      fmp: lazyFmp(env),
      sec: lazySec(env),
      now: () => NOW,
    });
    cleanups.push(async () => {
      const sql = postgres(LOCAL_POSTGRES as string, { onnotice: () => {} });
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end();
    });
    const env = operatorEnv({ DATABASE_URL: url });
    expect((await cli(env, ["db", "migrate"], open)).code).toBe(0);
    const runResult = await cli(env, ["materialize", "fintra_universe", "--date", DAY], open);
    expect(runResult.code).toBe(1);
    const badSql = await cli(
      env,
      ["sql", "SELECT no_such_column FROM fintra_materializations"],
      open,
    );
    expect(badSql.code).not.toBe(0);
    expect(badSql.stderr).toMatch(/no_such_column/);
    for (const result of [runResult, badSql]) {
      expectClean("cli", `${result.stdout}\n${result.stderr}`);
    }

    const server = await startServer({
      port: 0,
      env: { ...env, INNGEST_DEV: "1" },
      openResources: open,
      log: captureLog("logs"),
    });
    try {
      const health = await fetch(`${server.url}/health`);
      const body = await health.text();
      hear("http", body);
      expect(health.status).toBe(200);
      expectClean("http", body);
      const assets = await fetch(`${server.url}/api/assets`, {
        headers: { authorization: `Bearer ${SECRETS["admin token"]}` },
      });
      const assetsBody = await assets.text();
      hear("http", assetsBody);
      expect(assetsBody).toMatch(/fintra_universe/);
      expectClean("http", assetsBody);
    } finally {
      await server.close();
    }

    const db = await openStore({ ...storeConfigFromEnv(env), schema });
    try {
      const dump = await dumpTables((sql) => db.readOnlyQuery(sql));
      expect(dump.text).toMatch(/403/);
      expectClean("postgres tables", dump.text);
    } finally {
      await db.close();
    }
  });
});

describe("the server", () => {
  const get = async (
    server: StartedServer,
    path: string,
    token?: string,
    init: RequestInit = {},
  ) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (token !== undefined) headers.authorization = token;
    const res = await fetch(`${server.url}${path}`, { ...init, headers });
    const text = await res.text();
    hear("http", `${res.status} ${path} ${text}`);
    return { status: res.status, text };
  };
  const bearer = `Bearer ${SECRETS["admin token"]}`;

  it("with the database down: /health says only 'database unreachable'; admin errors are clean", async () => {
    const env = operatorEnv({ DATABASE_URL: unreachableUrl, INNGEST_DEV: "1" });
    const server = await startServer({ port: 0, env, log: captureLog("server log") });
    try {
      const health = await get(server, "/health");
      expect(health.status).toBe(503);
      expect(JSON.parse(health.text)).toEqual({ status: "database unreachable" });
      // The reason went to the log, scrubbed.
      expect(channel("server log")).toMatch(/cannot connect to DATABASE_URL/);

      expect((await get(server, "/api/assets", "Bearer wrong")).status).toBe(401);
      const down = await get(server, "/api/assets", bearer);
      expect(down.status).toBeGreaterThanOrEqual(500);
      const post = (body: string) =>
        get(server, "/api/assets/datos_eod/materialize", bearer, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
      expect((await post("{not json")).status).toBe(400);
      expect((await post(JSON.stringify({ partiton: DAY }))).status).toBe(400);
      expect((await post(JSON.stringify({ partition: DAY }))).status).toBeGreaterThanOrEqual(500);
      expectClean("http", channel("http"));
      expectClean("server log", channel("server log"));
    } finally {
      await server.close();
    }
  });

  it("with the database up: /health and the admin API answer without secrets", async () => {
    expect((await fmpRefusedFromCli()).code).toBe(1);
    const env = operatorEnv({ INNGEST_DEV: "1" });
    const server = await startServer({ port: 0, env, log: captureLog("server log") });
    try {
      const health = await get(server, "/health");
      expect(health.status).toBe(200);
      const assets = await get(server, "/api/assets", bearer);
      expect(assets.status).toBe(200);
      // The failed run's reason is in the answer, so the sweep reads a real failure.
      expect(assets.text).toMatch(/403/);
      const why = await get(server, `/api/assets/fintra_universe/why?partition=${DAY}`, bearer);
      expect(why.status).toBe(200);
      expect((await get(server, "/api/assets/no_such_asset/why", bearer)).status).toBe(404);
      expectClean("http", channel("http"));
    } finally {
      await server.close();
    }
  });
});

describe("the admin token", () => {
  const token = SECRETS["admin token"];
  const wrong = [
    "",
    "Bearer ",
    "Bearer x",
    `Bearer ${token.slice(0, -1)}`,
    `Bearer ${token}x`,
    `Bearer ${token.slice(0, 6)}`,
    `Bearer ${token.toUpperCase()}`,
    `Bearer ${"a".repeat(10_000)}`,
    `bearer ${token}`,
    token,
    `Basic ${token}`,
  ];

  it("refuses wrong tokens of every length and shared prefixes with a plain 401", async () => {
    // The right token must reach a migrated store to answer 200.
    expect((await cli(operatorEnv(), ["db", "migrate"])).code).toBe(0);
    const env = operatorEnv({ INNGEST_DEV: "1" });
    const server = await startServer({ port: 0, env, log: captureLog("server log") });
    try {
      for (const header of wrong) {
        const res = await fetch(`${server.url}/api/assets`, {
          headers: header ? { authorization: header } : {},
        });
        const body = await res.text();
        hear("http", body);
        expect({ header: header.slice(0, 40), status: res.status, body }).toEqual({
          header: header.slice(0, 40),
          status: 401,
          body: JSON.stringify({ error: "unauthorized" }),
        });
      }
      const right = await fetch(`${server.url}/api/assets`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(right.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("afterwards, everywhere", () => {
  it("no table of any store holds a secret", async () => {
    // A failed run in each store, so each dump has a real failure to read.
    expect((await fmpRefusedInProcess()).exitCode).toBe(1);
    expect((await fmpRefusedFromCli()).code).toBe(1);
    const memory = await dumpTables((sql) => store.readOnlyQuery(sql));
    expect(memory.tables).toEqual(
      expect.arrayContaining(["fintra_materializations", "fintra_gate_decisions"]),
    );
    expect(memory.text).toMatch(/403/);
    expectClean("test store tables", memory.text);

    const folder = await openStore({ pgliteDir });
    try {
      const dump = await dumpTables((sql) => folder.readOnlyQuery(sql));
      expect(dump.text).toMatch(/403/);
      expectClean("CLI store tables", dump.text);
    } finally {
      await folder.close();
    }
  });
});
