/**
 * The fault matrix as a vitest suite for one backend: a clean baseline, then every row
 * (fault run, recovery, comparison with the baseline), then the matrix printed. Every row
 * must pass.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Clone,
  type FaultBackend,
  FaultLab,
  graph,
  type LedgerState,
  type Observed,
  oneLine,
  type TableState,
  TICKERS,
  tablesOf,
} from "./harness.ts";
import { type MatrixRow, printMatrix } from "./matrix.ts";
import { appliesTo, type FaultRow, ROWS } from "./rows.ts";

/** The union of every row's selection: what the clean run materializes. */
const BASELINE = [...new Set(ROWS.flatMap((r) => graph.select(r.selection)))].join(",");

interface Reference {
  /** Every content table after a clean run of BASELINE. */
  clean: Record<string, TableState>;
  /** Every content table of an untouched copy (the template). */
  untouched: Record<string, TableState>;
  untouchedLedger: LedgerState;
}

function compare(
  tables: Record<string, TableState>,
  reference: Record<string, TableState>,
): string[] {
  return Object.entries(tables).flatMap(([name, state]) => {
    const want = reference[name];
    if (!want) return [`${name}: not in the reference`];
    if (state.rows !== want.rows) return [`${name}: ${state.rows} rows vs ${want.rows}`];
    return state.hash === want.hash ? [] : [`${name}: same count, different content`];
  });
}

/** Runs one row on a fresh copy and judges it. */
async function runRow(
  lab: FaultLab,
  row: FaultRow,
  reference: Reference,
  backend: FaultBackend,
  shared: Clone | null,
): Promise<MatrixRow> {
  const clone = shared ?? (await lab.clone());
  const ctx = { lab, clone, backend };
  const problems: string[] = [];
  let observed: Observed = { exitCode: null, line: "", warnings: [] };
  let recovery: Observed | null = null;
  try {
    observed = await row.inject(ctx);
    const { exitCode, line, warning } = row.expect;
    if (!exitCode.includes(observed.exitCode)) {
      problems.push(`exit ${observed.exitCode}, expected ${exitCode.join(" or ")}`);
    }
    if (line && !line.test(observed.line)) problems.push(`line does not match ${line}`);
    if (warning && !observed.warnings.some((w) => warning.test(w))) {
      problems.push(`no warning matching ${warning}`);
    }
    const mode = row.recovery ?? "rerun";
    if (mode !== "none") {
      recovery = await lab.run(clone, { selection: row.selection, force: mode === "force" });
      if (recovery.exitCode !== 0) {
        problems.push(`recovery exit ${recovery.exitCode}: ${recovery.line}`);
      }
    }
    const names = mode === "none" ? await clone.contentTables() : tablesOf(row.selection);
    const tables = await clone.tables(names);
    const diff = compare(tables, mode === "none" ? reference.untouched : reference.clean);
    const ledger = await clone.ledger();
    if (ledger.running.length > 0) problems.push(`stuck running: ${ledger.running.join(", ")}`);
    if (mode !== "none") {
      const lost = graph.select(row.selection).filter((k) => !ledger.succeeded.includes(k));
      if (lost.length > 0) problems.push(`no successful run of ${lost.join(", ")}`);
    } else if (
      JSON.stringify(ledger.byStatus) !== JSON.stringify(reference.untouchedLedger.byStatus)
    ) {
      problems.push(`ledger changed: ${JSON.stringify(ledger.byStatus)}`);
    }
    problems.push(...(row.check ? await row.check(ctx, observed) : []));
    problems.push(...diff);
    return {
      row,
      observed,
      recovery,
      tables: diff.length === 0 ? `equal (${names.length} tables)` : oneLine(diff.join("; "), 80),
      ledger: ledgerText(ledger),
      problems,
    };
  } catch (error) {
    problems.push(`harness: ${oneLine((error as Error).message, 200)}`);
    return {
      row,
      observed,
      recovery,
      tables: "-",
      ledger: "-",
      problems,
      crashed: true,
    };
  } finally {
    if (!shared) await clone.drop();
  }
}

function ledgerText(ledger: LedgerState): string {
  const parts = Object.entries(ledger.byStatus)
    .sort()
    .map(([s, n]) => `${n} ${s}`);
  return parts.join(", ") || "empty";
}

export function faultSuite(backend: FaultBackend): void {
  const results: MatrixRow[] = [];
  let lab: FaultLab;
  let reference: Reference;
  /**
   * Refused input must write nothing, so those rows share one copy (each still compared
   * with the untouched template: a row that wrote would show, and so would the next).
   */
  let refusals: Clone | null = null;

  beforeAll(async () => {
    lab = await FaultLab.open(backend);
    const clone = await lab.clone();
    try {
      const names = await clone.contentTables();
      const untouched = await clone.tables(names);
      const untouchedLedger = await clone.ledger();
      const clean = await lab.run(clone, { selection: BASELINE });
      if (clean.exitCode !== 0) throw new Error(`the clean run failed: ${clean.line}`);
      reference = { clean: await clone.tables(names), untouched, untouchedLedger };
      // Something to compare: every table of every row's selection has rows.
      const empty = tablesOf(BASELINE).filter((t) => !reference.clean[t]?.rows);
      if (empty.length > 0) throw new Error(`the clean run left ${empty.join(", ")} empty`);
    } finally {
      await clone.drop();
    }
  }, 180_000);

  afterAll(async () => {
    if (results.length > 0) printMatrix(backend, TICKERS, results);
    await refusals?.drop();
    await lab?.close();
  }, 60_000);

  describe(`fault matrix on ${backend} (${TICKERS} tickers)`, () => {
    for (const row of ROWS.filter((r) => appliesTo(r, backend))) {
      it(row.fault, async () => {
        if (row.recovery === "none") refusals ??= await lab.clone();
        const shared = row.recovery === "none" ? refusals : null;
        const result = await runRow(lab, row, reference, backend, shared);
        results.push(result);
        expect(result.problems).toEqual([]);
      }, 120_000);
    }
  });
}
