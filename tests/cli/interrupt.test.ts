/**
 * A `fintra materialize` process killed or interrupted in the middle of an
 * asset never leaves its ledger row `running`: after SIGKILL the next
 * ordinary run supersedes the row at once (its process is gone); after
 * SIGINT/SIGTERM the process itself closes the row ("interrupted by SIGINT")
 * and exits 130/143. Real child processes of the CLI, on a PGlite folder and
 * (when DATABASE_URL is set) on Postgres, against the sandbox market.
 *
 * The kill is deterministic: the sandbox holds the asset's first profile-bulk
 * request, and the test kills once that request has arrived (the ledger row
 * is claimed before the asset fetches anything). No fixed sleeps.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore, type Store } from "../../db/index.ts";
import { SANDBOX_API_KEY } from "../../sources/sandbox/index.ts";
import { startTestMarket, type TestMarket } from "../helpers/sandbox.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DAY = "2026-11-25";
/**
 * The SIGKILL case's day, later than DAY: an ordinary run skips an unpartitioned asset
 * that succeeded on its day or later, and the SIGINT case's rerun succeeds on DAY.
 */
const KILLED_DAY = "2026-11-27";
const ASSET = "fintra_universe";
const PROFILE_BULK = "/stable/profile-bulk";

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Cli {
  child: ChildProcess;
  exited: Promise<Exited>;
}

/** `node cli/bin.js ...args` with the backend's environment and the sandbox as FMP. */
function cli(env: NodeJS.ProcessEnv, ...args: string[]): Cli {
  const child = spawn(process.execPath, ["cli/bin.js", ...args], { cwd: ROOT, env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const exited = new Promise<Exited>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

interface Backend {
  name: string;
  env: NodeJS.ProcessEnv;
  /** A store on the same database, opened only while no child runs (PGlite has one writer). */
  open(): Promise<Store>;
  /** Postgres only: the ledger can be watched while the child runs. */
  concurrentReads: boolean;
  cleanup(): Promise<void>;
}

function baseEnv(market: TestMarket): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["DATABASE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY"])
    delete env[name];
  return {
    ...env,
    FMP_BASE_URL: market.server.url,
    FMP_API_KEY: SANDBOX_API_KEY,
    LOG_LEVEL: "silent",
  };
}

function pgliteBackend(market: TestMarket): Backend {
  const dir = mkdtempSync(join(tmpdir(), "fintra-interrupt-"));
  const pgliteDir = join(dir, "pglite");
  return {
    name: "pglite",
    env: { ...baseEnv(market), FINTRA_PGLITE_DIR: pgliteDir },
    open: () => openStore({ pgliteDir }),
    concurrentReads: false,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresBackend(market: TestMarket, url: string): Backend {
  const schema = `fintra_interrupt_${randomBytes(5).toString("hex")}`;
  const withSchema = new URL(url);
  withSchema.searchParams.set("search_path", schema);
  return {
    name: "postgres",
    env: { ...baseEnv(market), DATABASE_URL: withSchema.toString() },
    open: () => openStore({ databaseUrl: url, schema }),
    concurrentReads: true,
    cleanup: async () => {
      const sql = postgres(url, { onnotice: () => {} });
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end();
    },
  };
}

const backendNames = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

describe.each(backendNames)("an interrupted `fintra materialize` on %s", (name) => {
  let market: TestMarket;
  let backend: Backend;

  beforeAll(async () => {
    market = await startTestMarket({ tickers: 40, asOf: DAY });
    backend =
      name === "postgres"
        ? postgresBackend(market, process.env.DATABASE_URL as string)
        : pgliteBackend(market);
    if (name === "postgres") {
      // The schema must exist before the child's search_path can point into it.
      const store = await backend.open();
      await store.close();
    }
    const migrated = await cli(backend.env, "db", "migrate").exited;
    expect(migrated.code, migrated.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await market?.close();
    await backend?.cleanup();
  });

  /** Starts a run whose first profile-bulk request hangs, and resolves once it hangs. */
  async function runHeldMidAsset(day = DAY): Promise<Cli> {
    market.server.setFaults({ slow: { endpoints: ["profile-bulk"], first: 1, delayMs: 120_000 } });
    const before = market.server.stats.requests[PROFILE_BULK] ?? 0;
    const run = cli(backend.env, "materialize", ASSET, "--date", day, "--force");
    await vi.waitFor(
      () => {
        if (run.child.exitCode !== null) throw new Error("the run ended before it was held");
        expect(market.server.stats.requests[PROFILE_BULK] ?? 0).toBeGreaterThan(before);
      },
      { timeout: 60_000, interval: 50 },
    );
    if (backend.concurrentReads) {
      const store = await backend.open();
      try {
        expect(await store.ledger.running(ASSET, day, "")).toMatchObject({
          owner: { host: hostname(), pid: run.child.pid },
        });
      } finally {
        await store.close();
      }
    }
    return run;
  }

  async function ledgerRows(): Promise<{ status: string; error: string | null; id: string }[]> {
    const store = await backend.open();
    try {
      return (await store.ledger.history({ asset: ASSET, limit: 50 })).map((m) => ({
        id: m.id,
        status: m.status,
        error: m.error,
      }));
    } finally {
      await store.close();
    }
  }

  /** An ordinary rerun (no --force): the sandbox answers at once now. */
  async function rerun(day = DAY): Promise<Exited> {
    market.server.setFaults();
    return cli(backend.env, "materialize", ASSET, "--date", day).exited;
  }

  it("SIGKILL: the next ordinary run takes over at once and nothing stays running", async () => {
    const run = await runHeldMidAsset(KILLED_DAY);
    const pid = run.child.pid as number;
    run.child.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");

    const next = await rerun(KILLED_DAY);
    expect(next.stderr).not.toMatch(/already running/);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`${ASSET}\\s+succeeded`));

    const rows = await ledgerRows();
    expect(rows.filter((r) => r.status === "running")).toEqual([]);
    expect(rows).toContainEqual(
      expect.objectContaining({
        status: "failed",
        error: `abandoned: process ${pid} on ${hostname()} is gone`,
      }),
    );
  }, 180_000);

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s: the run closes its row itself and exits %i with one line",
    async (signal, code) => {
      const run = await runHeldMidAsset();
      run.child.kill(signal);
      const ended = await run.exited;
      expect(ended.code).toBe(code);
      expect(ended.stderr.trim().split("\n").at(-1)).toBe(
        `interrupted by ${signal}: 1 running asset(s) marked failed; rerun to resume`,
      );

      const rows = await ledgerRows();
      expect(rows.filter((r) => r.status === "running")).toEqual([]);
      expect(rows[0]).toMatchObject({ status: "failed", error: `interrupted by ${signal}` });

      // One rerun proves the interrupted row holds nothing (child processes are slow on CI's 2 cores).
      if (signal === "SIGINT") {
        const next = await rerun();
        expect(next.code, next.stderr).toBe(0);
        expect(next.stdout).toMatch(new RegExp(`${ASSET}\\s+succeeded`));
      }
    },
    180_000,
  );
});
