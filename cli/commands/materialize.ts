/**
 * `fintra materialize <selection>`: one trading date, in dependency order, with a summary.
 * Also the CLI's interrupt trap, shared with `backfill`: Ctrl-C or SIGTERM closes the
 * runs in flight in the ledger instead of leaving them `running`.
 */

import type { Store } from "../../db/index.ts";
import { heldRuns } from "../../db/ledger.ts";
import { createLogger } from "../../runtime/log.ts";
import { type MaterializeSummary, materialize } from "../../runtime/materialize.ts";
import { ALERT_EXIT, reportAlerts } from "../alerts.ts";
import { openMigrated, positiveInt, type RegisterCommand, select } from "../context.ts";
import { line, table } from "../io.ts";
import { parsePartition, parseScope } from "../options.ts";
import { terminalReporter } from "../progress.ts";

/** The shell's convention: 128 + the signal's number. */
const SIGNAL_EXIT: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };
/** Closing the ledger rows must not hold an exit hostage (a database that stopped answering). */
const INTERRUPT_GRACE_MS = 10_000;

/**
 * Traps SIGINT and SIGTERM while in-process runs execute: the first marks this
 * process's running rows failed ("interrupted by SIGINT"), closes the store and
 * exits 130/143 with one line; a second signal exits at once. Returns the untrap.
 */
export function trapInterrupts(stderr: NodeJS.WritableStream, db: Store): () => void {
  let interrupted = false;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    const code = SIGNAL_EXIT[signal];
    if (interrupted) process.exit(code);
    interrupted = true;
    setTimeout(() => process.exit(code), INTERRUPT_GRACE_MS).unref();
    const ids = heldRuns();
    void Promise.allSettled(ids.map((id) => db.ledger.fail(id, `interrupted by ${signal}`)))
      .then(async (settled) => {
        await db.close().catch(() => {});
        const closed = settled.filter((r) => r.status === "fulfilled").length;
        const note =
          closed === ids.length
            ? `${closed} running asset(s) marked failed`
            : `${closed} of ${ids.length} running asset(s) marked failed; the next run supersedes the rest`;
        stderr.write(`interrupted by ${signal}: ${note}; rerun to resume\n`);
      })
      .finally(() => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

function summaryTable(summary: MaterializeSummary): string {
  return table(
    ["asset", "status", "rows", "seconds", "note"],
    summary.outcomes.map((o) => [
      o.asset,
      o.status,
      o.rows === null ? "" : String(o.rows),
      o.seconds.toFixed(1),
      o.status === "succeeded" ? "" : o.reason,
    ]),
  );
}

export const registerMaterialize: RegisterCommand = (program, ctx) => {
  program
    .command("materialize")
    .description("materialize a selection of assets for one trading date, in dependency order")
    .argument(
      "<selection>",
      "assets: key, +key (with upstream), key+ (with downstream), *, or a comma list",
    )
    .option("--date <YYYY-MM-DD>", "trading date (default: the latest trading day)")
    .option("--ticker <T,...>", "restrict the run to these tickers (scoped run)")
    .option("--limit <N>", "restrict the run to the first N tickers of the universe")
    .option("--force", "run even when up to date")
    .option("--concurrency <N>", "assets running at once", "2")
    .action(async (selection: string, opts) => {
      const { io, deps } = ctx;
      const keys = select(deps.graph, selection);
      const scope = parseScope(opts);
      const partition = parsePartition(opts.date, deps.now());
      const concurrency = positiveInt(opts.concurrency, "--concurrency");
      const resources = await openMigrated(ctx);
      const untrap = trapInterrupts(io.stderr, resources.db);
      try {
        line(
          io.stderr,
          `materializing ${keys.length} asset(s) for ${partition}${scope ? ` (scope ${JSON.stringify(scope)})` : ""}`,
        );
        const summary = await materialize(deps.graph, selection, resources, {
          partition,
          scope,
          force: opts.force === true,
          concurrency,
          trigger: "cli",
          reporter: terminalReporter(io.stderr as NodeJS.WriteStream),
          log: createLogger({ level: io.env.LOG_LEVEL ?? "warn" }),
        });
        line(io.stdout, summaryTable(summary));
        await reportAlerts(summary.alerts, io, resources.db);
        const raised = summary.alerts.some((a) => a.status === "raised");
        ctx.setExit(summary.exitCode === 0 && raised ? ALERT_EXIT : summary.exitCode);
      } finally {
        untrap();
        await resources.db.close();
      }
    });
};
