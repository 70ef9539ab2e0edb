/**
 * The fault matrix's rows: each names a fault, how it is injected, what the operator should
 * see, and how the pipeline recovers (usually: the same command again, no flags). Every
 * row is asserted.
 */
import { PassThrough } from "node:stream";
import { run as runCli } from "../../cli/main.ts";
import type { Store } from "../../db/index.ts";
import type { FaultOptions } from "../../sources/sandbox/index.ts";
import { badEventInput, badHttpInput, databaseDownAtStart } from "./door-rows.ts";
import {
  type Clone,
  DAY,
  evening,
  type FaultBackend,
  type FaultLab,
  FULL,
  graph,
  type Observed,
  oneLine,
  postgresAdmin,
} from "./harness.ts";

export interface RowContext {
  lab: FaultLab;
  clone: Clone;
  backend: FaultBackend;
}

export interface FaultRow {
  id: string;
  /** The fault, as the matrix prints it. */
  fault: string;
  /** The expected outcome, as the matrix prints it. */
  expected: string;
  /** The assets the row runs; their tables are compared. */
  selection: string;
  backends?: FaultBackend[];
  /** Runs the pipeline with the fault injected. */
  inject(ctx: RowContext): Promise<Observed>;
  /** What the faulted run must show. */
  expect: { exitCode: readonly (number | null)[]; line?: RegExp; warning?: RegExp };
  /**
   * How the row recovers: "rerun" the same selection, no flags (default); "force" (what an
   * operator does once the source is fixed); "none" (refused input: nothing to heal, the
   * tables must be as they were).
   */
  recovery?: "rerun" | "force" | "none";
  /** Extra checks after recovery; returns problems (empty: fine). */
  check?(ctx: RowContext, observed: Observed): Promise<string[]>;
}

const PRICES = "fintra_universe,datos_eod,datos_performance";
const FINANCIALS = "fintra_universe,datos_financieros";

/** A row that runs `selection` in process with sandbox faults on. */
function sandboxRow(
  row: Omit<FaultRow, "inject"> & { faults: FaultOptions; force?: boolean },
): FaultRow {
  const { faults, force, ...rest } = row;
  return {
    ...rest,
    inject: ({ lab, clone }) =>
      lab.run(clone, { selection: row.selection, faults, ...(force ? { force } : {}) }),
  };
}

/**
 * FMP renames a column between two daily runs: the partition was loaded cleanly, the day's
 * forced refresh reads the renamed header, and once FMP (or an alias) fixes it the operator
 * forces the day again. eod-bulk's adjClose is one every price needs, so the refresh fails
 * loudly; the statements' ebit only feeds Altman Z, so that refresh succeeds with a warning.
 */
function renamedColumn(variant: "eod" | "statements"): FaultRow {
  const eod = variant === "eod";
  const selection = eod ? PRICES : FINANCIALS;
  const [endpoint, from, to] = eod
    ? ["eod-bulk", "adjClose", "adjustedClose"]
    : ["income-statement-bulk", "ebit", "EBIT"];
  return {
    id: `renamed-column-${variant}`,
    fault: `renamed optional column (${endpoint} ${from} -> ${to}) in a refresh`,
    expected: eod
      ? `exit 1, every price lacks ${from}: datos_eod fails its checks; a warning names both; --force after the fix heals`
      : `exit 0, a warning names ${from} and ${to}; --force after the fix heals`,
    selection,
    async inject({ lab, clone }) {
      const first = await lab.run(clone, { selection });
      if (first.exitCode !== 0) return first;
      return lab.run(clone, {
        selection,
        force: true,
        faults: { renameColumns: { endpoints: [endpoint], columns: { [from]: to } } },
      });
    },
    expect: {
      exitCode: eod ? [1] : [0],
      warning: new RegExp(`header lacks optional column\\(s\\) ${from}.*${to}`),
    },
    recovery: "force",
  };
}

const rerunOfFinished: FaultRow = {
  id: "rerun-finished",
  fault: "a rerun of a finished partition",
  expected: "every asset up to date; no new materialization; a forced rerun changes no row",
  selection: PRICES,
  async inject({ lab, clone }) {
    const first = await lab.run(clone, { selection: PRICES });
    if (first.exitCode !== 0) return first;
    const before = (await clone.ledger()).byStatus;
    const again = await lab.run(clone, { selection: PRICES });
    const after = (await clone.ledger()).byStatus;
    const added = (after.succeeded ?? 0) - (before.succeeded ?? 0);
    return { ...again, line: `${again.line}; +${added} materializations` };
  },
  expect: { exitCode: [0], line: /3 fresh; \+0 materializations/ },
  recovery: "force",
};

/** SIGKILL or SIGINT to a `fintra materialize` child held in the middle of an asset. */
function signalRow(
  signal: "SIGKILL" | "SIGINT",
  kind: string,
  selection: string,
  hold: string,
): FaultRow {
  const name = signal.toLowerCase();
  return {
    id: `${name}-${kind}`,
    fault: `${signal} mid ${kind} asset (${hold.replace(":", " write ")})`,
    expected:
      signal === "SIGKILL"
        ? "process dies; the next run supersedes the dead run's row and heals"
        : "run marks its row failed and exits; the next run heals",
    selection,
    async inject({ lab, clone }) {
      const child = await lab.spawnCli(clone, ["materialize", selection, "--date", DAY], {
        FINTRA_FAULT_HOLD: hold,
      });
      await child.waitFor(/FAULT-HOLD/);
      child.kill(signal);
      return child.observed();
    },
    // SIGKILL leaves no exit code; SIGINT must be trapped: the row marked failed, then exit.
    expect: { exitCode: signal === "SIGKILL" ? [null] : [1, 130] },
  };
}

const SIGNAL_KINDS: [string, string, string][] = [
  ["ingest", PRICES, "datos_eod:1"],
  ["chunked", FINANCIALS, "datos_financieros:2"],
  ["aggregate", "+sector_performance", "sector_performance:1"],
  ["sec", "fintra_universe,fintra_sec_structural_signals", "fintra_sec_structural_signals:1"],
];

/** `npm test` runs the ingest kind; `npm run faults` every kind. */
const signalRows: FaultRow[] = SIGNAL_KINDS.filter(([kind]) => FULL || kind === "ingest").flatMap(
  ([kind, selection, hold]) => [
    signalRow("SIGKILL", kind, selection, hold),
    signalRow("SIGINT", kind, selection, hold),
  ],
);

/** A store whose first write to `table` runs `before` first (a database fault mid-run). */
/**
 * Runs `before` once, just ahead of the first write (upsert or stage) to `table`. The run
 * it wraps throws when no such write came: a fault that never fired proves nothing.
 */
function onFirstWrite(table: string, before: () => Promise<void>) {
  let fired = false;
  const wrap = (store: Store): Store => {
    const fire = async (name: string) => {
      if (fired || name !== table) return;
      fired = true;
      await before();
    };
    const wrapped = Object.create(store) as Store;
    wrapped.upsert = async (spec, rows, options) => {
      await fire(spec.name);
      return store.upsert(spec, rows, options);
    };
    wrapped.stage = async (spec, runId, rows) => {
      await fire(spec.name);
      return store.stage(spec, runId, rows);
    };
    return wrapped;
  };
  const assertFired = () => {
    if (!fired) throw new Error(`the fault never fired: no write to ${table}`);
  };
  return { wrap, assertFired };
}

function databaseName(clone: Clone): string {
  return new URL(clone.env.DATABASE_URL as string).pathname.slice(1);
}

const connectionKilled: FaultRow = {
  id: "connection-killed",
  fault: "database connection killed mid-upsert",
  expected: "the write step is retried on a new connection; exit 0",
  selection: PRICES,
  backends: ["postgres"],
  async inject({ lab, clone }) {
    const admin = postgresAdmin();
    try {
      const kill = async () => {
        await admin.unsafe(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = '${databaseName(clone)}' AND pid <> pg_backend_pid()`,
        );
      };
      const hook = onFirstWrite("datos_eod", kill);
      const observed = await lab.run(clone, { selection: PRICES, wrapStore: hook.wrap });
      hook.assertFired();
      return observed;
    } finally {
      await admin.end();
    }
  },
  expect: { exitCode: [0] },
};

const readOnlyMidRun: FaultRow = {
  id: "read-only-mid-run",
  fault: "database turns read-only mid-run",
  expected: "exit 1, one clear line, row marked failed (not running); rerun heals",
  selection: PRICES,
  backends: ["postgres"],
  async inject({ lab, clone }) {
    const admin = postgresAdmin();
    const db = databaseName(clone);
    try {
      const readOnly = async () => {
        await admin.unsafe(`ALTER DATABASE "${db}" SET default_transaction_read_only = on`);
        await admin.unsafe(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = '${db}' AND pid <> pg_backend_pid()`,
        );
      };
      const hook = onFirstWrite("datos_eod", readOnly);
      const observed = await lab.run(clone, { selection: PRICES, wrapStore: hook.wrap });
      hook.assertFired();
      // Writable again (the operator's fix), on fresh sessions, before the rerun.
      await admin.unsafe(`ALTER DATABASE "${db}" RESET default_transaction_read_only`);
      await clone.release();
      return observed;
    } finally {
      await admin.end();
    }
  },
  expect: { exitCode: [1], line: /read-only/ },
};

const twoClis: FaultRow = {
  id: "two-clis",
  fault: "two CLIs on one asset and day",
  expected:
    "the second waits (exit 3, already running) or is refused by the store's lock; the first finishes",
  selection: PRICES,
  async inject({ lab, clone }) {
    const args = ["materialize", PRICES, "--date", DAY];
    const first = await lab.spawnCli(clone, args, { FINTRA_FAULT_HOLD: "datos_eod:1" });
    await first.waitFor(/FAULT-HOLD/);
    const second = await lab.spawnCli(clone, args);
    const other = await second.observed();
    first.release();
    const done = await first.observed();
    return {
      exitCode: other.exitCode,
      line: `second: ${other.line}; first: exit ${done.exitCode}`,
      warnings: [],
      stderr: `${other.stderr ?? ""}\n${done.stderr ?? ""}`,
    };
  },
  expect: { exitCode: [1, 2, 3], line: /(already running|lock|in use).*first: exit 0/i },
};

/** `fintra <argv>` in process on the clone, as an operator types it, on the market's evening. */
async function cli(lab: FaultLab, clone: Clone, argv: string[]): Promise<Observed> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  err.on("data", (c: Buffer) => chunks.push(c));
  out.resume();
  const warnings: string[] = [];
  const fmp = lab.fmpClient(warnings);
  const store = await clone.store();
  const resources = evening(store, () => fmp);
  // The CLI closes the store it opens; this one stays the clone's.
  const borrowed = Object.create(store) as Store;
  borrowed.close = async () => {};
  const code = await runCli(
    argv,
    { stdout: out, stderr: err, env: { LOG_LEVEL: "silent" } },
    { graph, now: resources.now, openResources: async () => ({ ...resources, db: borrowed }) },
  );
  const text = Buffer.concat(chunks).toString("utf8");
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return {
    exitCode: code,
    line: oneLine(lines.filter((l) => /error/i.test(l)).at(-1) ?? lines.at(-1) ?? ""),
    warnings,
    stderr: text,
  };
}

function dateRow(
  id: string,
  fault: string,
  date: string,
  expected: string,
  expect: FaultRow["expect"],
): FaultRow {
  return {
    id,
    fault,
    expected,
    selection: "datos_eod",
    inject: ({ lab, clone }) => cli(lab, clone, ["materialize", "datos_eod", "--date", date]),
    expect,
    recovery: "none",
    async check({ clone }) {
      const { byStatus } = await clone.ledger();
      return byStatus.failed ? [`${byStatus.failed} failed ledger row(s) written`] : [];
    },
  };
}

/** Bad CLI input: each must exit 2 with one line, nothing opened or written. */
const BAD_CLI: string[][] = [
  ["materialize", "datos_eod", "--limit", "-5"],
  ["materialize", "datos_eod", "--date", "2026-13-01"],
  ["materialize", "no_such_asset"],
  ["materialize", "datos_eod", "--ticker", "AAPL;DROP TABLE datos_eod"],
  [
    "materialize",
    "datos_eod",
    "--ticker",
    Array.from({ length: 5000 }, (_, i) => `T${i}`).join(","),
  ],
];

const badCliInput: FaultRow = {
  id: "bad-cli-input",
  fault: "malformed CLI input (negative limit, bad date, unknown asset, bad ticker, 5,000 tickers)",
  expected: "each: exit 2, one line, nothing written",
  selection: "datos_eod",
  async inject({ lab, clone }) {
    const results = [];
    for (const argv of BAD_CLI) results.push(await cli(lab, clone, argv));
    const codes = results.map((r) => r.exitCode);
    const multiLine = results.filter((r) => (r.stderr ?? "").trim().split("\n").length > 1).length;
    return {
      exitCode: codes.every((c) => c === 2) ? 2 : (codes.find((c) => c !== 2) ?? null),
      line: `exits ${codes.join(",")}${multiLine ? `; ${multiLine} answer(s) over one line` : ""}`,
      warnings: [],
    };
  },
  expect: { exitCode: [2], line: /^exits [2,]+$/ },
  recovery: "none",
};

export const ROWS: FaultRow[] = [
  sandboxRow({
    id: "429-burst",
    fault: "429 burst past the retry budget (eod-bulk)",
    expected: "exit 1, datos_eod failed naming 429; downstream blocked; rerun heals",
    selection: PRICES,
    faults: { rateLimit: { endpoints: ["eod-bulk"], first: 10, retryAfterSeconds: 1 } },
    expect: { exitCode: [1], line: /datos_eod failed: .*(429|rate|limit)/i },
  }),
  sandboxRow({
    id: "5xx-retried",
    fault: "5xx on the first request of each file (eod, profiles)",
    expected: "retried within the budget; exit 0",
    selection: PRICES,
    faults: { serverError: { endpoints: ["eod-bulk", "profile-bulk"], first: 1, status: 503 } },
    expect: { exitCode: [0] },
  }),
  sandboxRow({
    id: "5xx-exhausted",
    fault: "5xx past the retry budget (eod-bulk)",
    expected: "exit 1, datos_eod failed naming the status; rerun heals",
    selection: PRICES,
    faults: { serverError: { endpoints: ["eod-bulk"], first: 10 } },
    expect: { exitCode: [1], line: /datos_eod failed: .*500/ },
  }),
  sandboxRow({
    id: "slow-body",
    fault: "slow responses (300 ms before every first byte)",
    expected: "exit 0, same rows",
    selection: PRICES,
    faults: { slow: { every: 1, delayMs: 300 } },
    expect: { exitCode: [0] },
  }),
  sandboxRow({
    id: "stalled-body",
    fault: "stalled body (eod-bulk stops sending mid-file)",
    expected: "the client times out, retries and resumes; exit 0",
    selection: PRICES,
    faults: { stall: { endpoints: ["eod-bulk"], first: 1, afterBytes: 700 } },
    expect: { exitCode: [0], warning: /retrying/ },
  }),
  sandboxRow({
    id: "truncated-csv",
    fault: FULL
      ? "truncated CSV (eod, profiles and every 4th statement file cut mid-body)"
      : "truncated CSV (eod and profile files cut mid-body)",
    expected: "the client resumes the cut bodies; exit 0",
    selection: FULL ? `${PRICES},datos_financieros` : PRICES,
    faults: {
      truncate: {
        endpoints: FULL
          ? ["eod-bulk", "profile-bulk", "income-statement-bulk", "balance-sheet-statement-bulk"]
          : ["eod-bulk", "profile-bulk"],
        every: 4,
        first: 1,
        afterBytes: 900,
      },
    },
    expect: { exitCode: [0], warning: /retrying/ },
  }),
  sandboxRow({
    id: "plan-403",
    fault: "402/403 (eod-bulk not in the plan)",
    expected: "exit 1 at once (not retried), one line naming the plan; rerun heals",
    selection: PRICES,
    faults: { serverError: { endpoints: ["eod-bulk"], first: 1, status: 403 } },
    expect: { exitCode: [1], line: /datos_eod failed: .*403.*plan/i },
  }),
  renamedColumn("statements"),
  renamedColumn("eod"),
  sandboxRow({
    id: "malformed-under-cap",
    fault: "malformed rows under the cap (2% of eod-bulk)",
    expected: "exit 0, bad rows counted and sampled; a forced rerun after FMP's fix restores them",
    selection: PRICES,
    faults: { malformedRows: { endpoints: ["eod-bulk"], rate: 0.02, seed: 5 } },
    expect: { exitCode: [0] },
    recovery: "force",
  }),
  sandboxRow({
    id: "malformed-over-cap",
    fault: "malformed rows over the cap (40% of eod-bulk)",
    expected: "exit 1, datos_eod fails its error check naming the skipped share; rerun heals",
    selection: PRICES,
    faults: { malformedRows: { endpoints: ["eod-bulk"], rate: 0.4, seed: 5 } },
    expect: { exitCode: [1], line: /datos_eod failed: .*skipped/i },
  }),
  rerunOfFinished,
  ...signalRows,
  connectionKilled,
  readOnlyMidRun,
  twoClis,
  dateRow(
    "weekend",
    "a weekend date (Saturday)",
    "2026-11-21",
    "exit 2, one line, nothing written",
    {
      exitCode: [2],
      line: /Saturday/,
    },
  ),
  dateRow(
    "holiday",
    "an exchange holiday (Labor Day)",
    "2026-09-07",
    "a 'no trading' answer (exit 0 skip or exit 2 refusal), never a failed run",
    { exitCode: [0, 2], line: /no trading/i },
  ),
  dateRow("future", "a future date", "2026-12-10", "exit 2, one line, nothing written", {
    exitCode: [2],
    line: /future/,
  }),
  dateRow(
    "pre-history",
    "a date before the price history (1900-01-01)",
    "1900-01-01",
    "exit 2, refused as before the history, no failed run",
    { exitCode: [2], line: /before|history/i },
  ),
  badCliInput,
  badHttpInput,
  badEventInput,
  databaseDownAtStart,
];

/** Whether the row applies to the backend. */
export function appliesTo(row: FaultRow, backend: FaultBackend): boolean {
  return !row.backends || row.backends.includes(backend);
}
