/**
 * The fault lab: one sandbox market and one database backend (a PGlite folder, or a local
 * Postgres database) on which a fault row runs the real pipeline with a fault injected,
 * then the rerun an operator would do, and compares what is left with a clean run.
 *
 * - A template database is migrated and given a short price history once; every fault row
 *   gets its own copy of it (a copied PGlite folder, or `CREATE DATABASE ... TEMPLATE` on
 *   Postgres), so rows never see each other's state and a child `fintra` process can open
 *   the copy by its environment (FINTRA_PGLITE_DIR or DATABASE_URL).
 * - A table's content is a hash of its rows without run stamps (STAMP_COLUMNS); the
 *   ledger's state is its rows per status and the rows still `running`.
 * - Runs go through `materialize` in process, or through the `fintra` CLI as a child
 *   process (tests/faults/cli-child.ts) where a fault needs a process to kill.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { assets } from "../../assets/index.ts";
import { openStore, type Store } from "../../db/index.ts";
import { backfill } from "../../runtime/backfill.ts";
import { AssetGraph } from "../../runtime/graph.ts";
import { type MaterializeSummary, materialize } from "../../runtime/materialize.ts";
import { lazySec, type Resources } from "../../runtime/resources.ts";
import { createFmpClient, type FmpClient } from "../../sources/fmp/index.ts";
import {
  createSandboxMarket,
  type FaultOptions,
  SANDBOX_API_KEY,
  type SandboxServer,
  startSandboxServer,
} from "../../sources/sandbox/index.ts";

export type FaultBackend = "pglite" | "postgres";

/** Size of the market: small for `npm test`, larger for `npm run faults`. */
export const TICKERS = Number(process.env.FINTRA_FAULTS_TICKERS ?? 60);
/** `npm run faults` runs every row variant (each signal in every kind of asset). */
export const FULL = process.env.FINTRA_FAULTS_FULL === "1";

/** The partition every row runs: a Wednesday, the market seen from its evening. */
export const DAY = "2026-11-25";
/** A short price history before DAY, so the performance windows have rows. */
const HISTORY: [string, string] = ["2026-11-16", "2026-11-24"];

/** Columns that say when a run wrote a row, not what it wrote. */
export const STAMP_COLUMNS = ["updated_at", "created_at", "read_at"];
/** Bookkeeping tables: compared through the ledger checks, not by content. */
const NOT_CONTENT =
  /^(fintra_materializations|fintra_gate_decisions|fintra_check_results|fintra_migrations)$|stag/;

export const graph = new AssetGraph(assets);

/** The tables an asset writes. */
export function tablesOf(selection: string): string[] {
  const keys = graph.select(selection);
  const names = keys.flatMap((k) => graph.get(k).tables?.map((t) => t.name) ?? [k]);
  // The SEC event job keeps its read-documents log in a table of its own.
  if (keys.includes("fintra_sec_event_signals")) names.push("fintra_sec_documents_read");
  return [...new Set(names)];
}

export interface TableState {
  rows: number;
  hash: string;
}

export interface LedgerState {
  byStatus: Record<string, number>;
  /** "asset run_date" of rows still running. */
  running: string[];
  /** Assets with a succeeded, full-scope materialization for DAY. */
  succeeded: string[];
}

/** A copy of the template database for one row. */
export class Clone {
  #store: Store | null = null;

  readonly backend: FaultBackend;
  /** What a child process needs to open this database. */
  readonly env: Record<string, string>;
  private readonly openIt: () => Promise<Store>;
  private readonly dropIt: () => Promise<void>;

  constructor(
    backend: FaultBackend,
    /** What a child process needs to open this database. */
    env: Record<string, string>,
    openIt: () => Promise<Store>,
    dropIt: () => Promise<void>,
  ) {
    this.backend = backend;
    this.env = env;
    this.openIt = openIt;
    this.dropIt = dropIt;
  }

  async store(): Promise<Store> {
    this.#store ??= await this.openIt();
    return this.#store;
  }

  /** Closes the parent's connection (PGlite has one writer: a child needs the folder). */
  async release(): Promise<void> {
    const open = this.#store;
    this.#store = null;
    await open?.close();
  }

  async drop(): Promise<void> {
    await this.release();
    await this.dropIt();
  }

  async tables(names: string[]): Promise<Record<string, TableState>> {
    const store = await this.store();
    const out: Record<string, TableState> = {};
    const drops = STAMP_COLUMNS.map((c) => ` - '${c}'`).join("");
    for (const name of names) {
      const [row] = await store.readOnlyQuery(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS h
         FROM (SELECT (to_jsonb(t)${drops})::text AS r FROM "${name}" t) s`,
      );
      out[name] = { rows: Number(row?.n ?? 0), hash: String(row?.h ?? "") };
    }
    return out;
  }

  /** Every content table of the database (what a "dump of every table" would show). */
  async contentTables(): Promise<string[]> {
    const store = await this.store();
    const rows = await store.readOnlyQuery(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    return rows.map((r) => String(r.name)).filter((n) => !NOT_CONTENT.test(n));
  }

  async ledger(): Promise<LedgerState> {
    const store = await this.store();
    const statuses = await store.readOnlyQuery(
      "SELECT status, count(*)::int AS n FROM fintra_materializations GROUP BY status",
    );
    const running = await store.readOnlyQuery(
      `SELECT asset, run_date::text AS d FROM fintra_materializations
       WHERE status = 'running' ORDER BY asset`,
    );
    const succeeded = await store.readOnlyQuery(
      `SELECT DISTINCT asset FROM fintra_materializations
       WHERE status = 'succeeded' AND run_date = '${DAY}' AND scope_key = '' ORDER BY asset`,
    );
    return {
      byStatus: Object.fromEntries(statuses.map((r) => [String(r.status), Number(r.n)])),
      running: running.map((r) => `${String(r.asset)} ${String(r.d)}`),
      succeeded: succeeded.map((r) => String(r.asset)),
    };
  }
}

/** What one run did, as an operator sees it. */
export interface Observed {
  exitCode: number | null;
  /** The signal that ended a child process, if one did. */
  signal?: string | null;
  /** One line: the first failure's reason, or the CLI's last error line. */
  line: string;
  /** FMP client warnings logged during the run. */
  warnings: string[];
  summary?: MaterializeSummary;
  stderr?: string;
}

export interface RunOptions {
  selection: string;
  partition?: string;
  force?: boolean;
  faults?: FaultOptions;
  /** Replaces the store's methods for this run (a database fault). */
  wrapStore?: (store: Store) => Store;
}

/** One line summing up a materialize summary: "exit 1: datos_eod failed: ...". */
export function describeSummary(summary: MaterializeSummary): string {
  const bad = summary.outcomes.find((o) => o.status === "failed" || o.status === "waiting");
  const counts = new Map<string, number>();
  for (const o of summary.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const tally = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  return bad ? `${bad.asset} ${bad.status}: ${oneLine(bad.reason, 300)}` : tally;
}

export function oneLine(text: string, max = 110): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The market, its server and the template database of one backend. */
export class FaultLab {
  readonly backend: FaultBackend;
  readonly server: SandboxServer;
  private readonly template: { clone(): Promise<Clone>; drop(): Promise<void> };

  private constructor(
    backend: FaultBackend,
    server: SandboxServer,
    template: { clone(): Promise<Clone>; drop(): Promise<void> },
  ) {
    this.backend = backend;
    this.server = server;
    this.template = template;
  }

  static async open(backend: FaultBackend): Promise<FaultLab> {
    const market = createSandboxMarket({ tickers: TICKERS, asOf: DAY, seed: 7, historyYears: 3 });
    const server = await startSandboxServer({ market });
    const template =
      backend === "pglite" ? await pgliteTemplate(server) : await postgresTemplate(server);
    return new FaultLab(backend, server, template);
  }

  clone(): Promise<Clone> {
    return this.template.clone();
  }

  /** A client as production makes one, with short waits: 2 retries, 2 s of silence is a stall. */
  fmpClient(warnings: string[]): FmpClient {
    return createFmpClient({
      apiKey: SANDBOX_API_KEY,
      baseUrl: this.server.url,
      ratePerMinute: 100_000,
      retries: 2,
      backoff: { minMs: 2, maxMs: 10 },
      maxRetryAfterMs: 10,
      timeoutMs: 2_000,
      logger: { info: () => {}, warn: (m) => warnings.push(m) },
    });
  }

  /** Materializes a selection in process on the clone, with faults on for that run only. */
  async run(clone: Clone, options: RunOptions): Promise<Observed> {
    const warnings: string[] = [];
    const store = await clone.store();
    const db = options.wrapStore ? options.wrapStore(store) : store;
    const fmp = this.fmpClient(warnings);
    this.server.setFaults(options.faults);
    try {
      const summary = await materialize(
        graph,
        options.selection,
        evening(db, () => fmp),
        {
          partition: options.partition ?? DAY,
          force: options.force ?? false,
        },
      );
      return { exitCode: summary.exitCode, line: describeSummary(summary), warnings, summary };
    } catch (error) {
      // As the CLI answers: a refused date is bad input (2), anything else a failure (1).
      const refused = (error as Error).name === "PartitionError";
      return { exitCode: refused ? 2 : 1, line: oneLine((error as Error).message, 300), warnings };
    } finally {
      this.server.setFaults();
    }
  }

  /** Starts `fintra <args>` as a child process on the clone (the parent lets go of it first). */
  async spawnCli(clone: Clone, args: string[], env: Record<string, string> = {}): Promise<Child> {
    await clone.release();
    return new Child(
      spawn(process.execPath, ["--import", "tsx", CLI_CHILD, ...args], {
        cwd: REPO,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? tmpdir(),
          FMP_API_KEY: SANDBOX_API_KEY,
          FMP_BASE_URL: this.server.url,
          LOG_LEVEL: "silent",
          // The lab's market has a week of prices: two of the six performance windows. The
          // guide's windows figure would alert on every run (exit 4); faults are the subject.
          FINTRA_ALERT_THRESHOLDS: '{"performance_windows": 0}',
          ...clone.env,
          ...env,
        },
        stdio: ["pipe", "pipe", "pipe"],
      }),
    );
  }

  async close(): Promise<void> {
    await this.template.drop();
    await this.server.close();
  }
}

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI_CHILD = fileURLToPath(new URL("./cli-child.ts", import.meta.url));

/** A running `fintra` child: its output so far, waits on what it prints, signals. */
export class Child {
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  readonly process: ChildProcess;

  constructor(process: ChildProcess) {
    this.process = process;
    process.stdout?.on("data", (c: Buffer) => {
      this.stdout += c.toString("utf8");
    });
    process.stderr?.on("data", (c: Buffer) => {
      this.stderr += c.toString("utf8");
    });
    this.exited = new Promise((resolve) =>
      process.on("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves when stderr shows `pattern`; rejects if the child ends first or after `ms`. */
  async waitFor(pattern: RegExp, ms = 60_000): Promise<void> {
    let done = false;
    const ended = this.exited.then(() => {
      done = true;
    });
    const deadline = Date.now() + ms;
    while (!pattern.test(this.stderr)) {
      if (done || Date.now() > deadline) {
        throw new Error(`child never printed ${pattern}: ${oneLine(this.stderr, 300)}`);
      }
      await Promise.race([sleep(20), ended]);
    }
  }

  /** Lets a held write go on (see cli-child.ts). */
  release(): void {
    this.process.stdin?.write("release\n");
  }

  kill(signal: NodeJS.Signals): void {
    this.process.kill(signal);
  }

  async observed(): Promise<Observed> {
    const { code, signal } = await this.exited;
    const lines = this.stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("FAULT-"));
    const error = lines.filter((l) => /error|refus|already|lock/i.test(l)).at(-1);
    return {
      exitCode: code,
      signal,
      line: oneLine(error ?? lines.at(-1) ?? (signal ? `killed by ${signal}` : "")),
      warnings: [],
      stderr: this.stderr,
    };
  }
}

/** Resources on the market's evening; the clock ticks a millisecond per reading. */
export function evening(db: Store, fmp: () => FmpClient): Resources {
  const start = new Date(`${DAY}T23:00:00Z`).getTime();
  let tick = 0;
  return { db, fmp, sec: lazySec({}), now: () => new Date(start + tick++) };
}

/** Migrates a new database and loads the price history. */
async function prepare(store: Store, server: SandboxServer): Promise<void> {
  await store.migrate();
  const fmp = createFmpClient({
    apiKey: SANDBOX_API_KEY,
    baseUrl: server.url,
    ratePerMinute: 100_000,
    backoff: { minMs: 2, maxMs: 10 },
  });
  const [from, to] = HISTORY;
  const summary = await backfill(
    graph,
    "fintra_universe,datos_eod",
    evening(store, () => fmp),
    {
      from,
      to,
    },
  );
  if (summary.exitCode !== 0) {
    throw new Error(`fault lab: the price history did not load (exit ${summary.exitCode})`);
  }
}

async function pgliteTemplate(server: SandboxServer) {
  const root = mkdtempSync(join(tmpdir(), "fintra-faults-"));
  const template = join(root, "template");
  const store = await openStore({ pgliteDir: template });
  await prepare(store, server);
  await store.close();
  let n = 0;
  return {
    async clone(): Promise<Clone> {
      const dir = join(root, `clone-${++n}`);
      cpSync(template, dir, { recursive: true });
      return new Clone(
        "pglite",
        { FINTRA_PGLITE_DIR: dir },
        () => openStore({ pgliteDir: dir }),
        async () => rmSync(dir, { recursive: true, force: true }),
      );
    },
    async drop() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The local Postgres of DATABASE_URL; each clone a database of its own, dropped after. */
async function postgresTemplate(server: SandboxServer) {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("fault lab: DATABASE_URL is not set");
  const tag = randomBytes(4).toString("hex");
  const urlOf = (db: string) => {
    const url = new URL(base);
    url.pathname = `/${db}`;
    return url.toString();
  };
  const admin = postgres(base, { onnotice: () => {}, max: 1 });
  const disconnect = (db: string) =>
    admin.unsafe(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = '${db}' AND pid <> pg_backend_pid()`,
    );
  const dropDb = async (db: string) => {
    await disconnect(db);
    await admin.unsafe(`DROP DATABASE IF EXISTS "${db}"`);
  };
  const template = `fintra_faults_${tag}_template`;
  await admin.unsafe(`CREATE DATABASE "${template}"`);
  const store = await openStore({ databaseUrl: urlOf(template) });
  await prepare(store, server);
  await store.close();
  let n = 0;
  return {
    async clone(): Promise<Clone> {
      const db = `fintra_faults_${tag}_${++n}`;
      // A template must have no sessions; a closed pool's may linger for a moment.
      await disconnect(template);
      await admin.unsafe(`CREATE DATABASE "${db}" TEMPLATE "${template}"`);
      return new Clone(
        "postgres",
        { DATABASE_URL: urlOf(db) },
        () => openStore({ databaseUrl: urlOf(db) }),
        () => dropDb(db),
      );
    },
    async drop() {
      await dropDb(template);
      await admin.end();
    },
  };
}

/** The admin connection rows use to act on a Postgres clone (kill sessions, read-only). */
export function postgresAdmin() {
  const base = process.env.DATABASE_URL as string;
  return postgres(base, { onnotice: () => {}, max: 1 });
}
