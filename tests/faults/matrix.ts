/**
 * The printed fault matrix: one line per row with the fault, what should happen, what did,
 * the tables after recovery against a clean run, the ledger, and a verdict (PASS or FAIL).
 * Also written to
 * FINTRA_FAULTS_REPORT when set, for CI artefacts.
 */
import { appendFileSync } from "node:fs";
import type { Observed } from "./harness.ts";
import type { FaultRow } from "./rows.ts";

export interface MatrixRow {
  row: FaultRow;
  observed: Observed;
  recovery: Observed | null;
  tables: string;
  ledger: string;
  problems: string[];
  /** The harness itself failed on this row. */
  crashed?: boolean;
}

function observedText(r: MatrixRow): string {
  const o = r.observed;
  const exit = o.signal ? `killed (${o.signal})` : `exit ${o.exitCode}`;
  const warned = o.warnings.length > 0 ? ` [${o.warnings.length} warning(s)]` : "";
  const recovered = r.recovery
    ? `; then ${r.row.recovery === "force" ? "--force" : "rerun"} exit ${r.recovery.exitCode}`
    : "";
  return `${exit}: ${o.line}${warned}${recovered}`;
}

/** Fixed-width columns, wrapped to nothing: a long cell is cut with an ellipsis. */
function render(headers: string[], rows: string[][], widths: number[]): string {
  const cell = (text: string, w: number) =>
    text.length > w ? `${text.slice(0, w - 1)}…` : text.padEnd(w);
  const line = (cells: string[]) => cells.map((c, i) => cell(c, widths[i] ?? 20)).join(" | ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("-+-"), ...rows.map(line)].join(
    "\n",
  );
}

export function formatMatrix(backend: string, tickers: number, results: MatrixRow[]): string {
  const rows = results.map((r) => [
    r.row.fault,
    r.row.expected,
    observedText(r),
    r.tables,
    r.ledger,
    r.problems.length === 0 ? "PASS" : "FAIL",
  ]);
  const table = render(
    ["fault", "expected", "observed", "tables vs clean", "ledger", "result"],
    rows,
    [44, 52, 64, 34, 30, 36],
  );
  const failed = results.filter((r) => r.problems.length > 0);
  const notes = failed.map((r) => `  ${r.row.id}: ${r.problems.join("; ")}`);
  return [
    `fault matrix: ${backend}, ${tickers} tickers: ${results.length - failed.length} passed, ${failed.length} failed`,
    table,
    ...(notes.length > 0 ? ["why:", ...notes] : []),
    "",
  ].join("\n");
}

export function printMatrix(backend: string, tickers: number, results: MatrixRow[]): void {
  const text = formatMatrix(backend, tickers, results);
  console.log(`\n${text}`);
  const file = process.env.FINTRA_FAULTS_REPORT;
  if (file) appendFileSync(file, `${text}\n`);
}
