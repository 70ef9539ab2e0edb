/** `fintra materialize <selection>`: one trading date, in dependency order, with a summary. */
import { createLogger } from "../../assets/log.ts";
import { type MaterializeSummary, materialize } from "../../assets/materialize.ts";
import { terminalReporter } from "../../assets/progress.ts";
import { openMigrated, positiveInt, type RegisterCommand, select } from "../context.ts";
import { line, table } from "../io.ts";
import { parsePartition, parseScope } from "../options.ts";

export function summaryTable(summary: MaterializeSummary): string {
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
        ctx.setExit(summary.exitCode);
      } finally {
        await resources.db.close();
      }
    });
};
