/**
 * `fintra backfill <selection> --from D1 --to D2`: every trading date of a range (the exchange
 * calendar's; the holidays passed are listed), oldest first.
 */
import { backfill, backfillRange } from "../../runtime/backfill.ts";
import { createLogger } from "../../runtime/log.ts";
import { PartitionError } from "../../runtime/partitions.ts";
import { openMigrated, positiveInt, type RegisterCommand, select } from "../context.ts";
import { line, table, UsageError } from "../io.ts";
import { parsePartition } from "../options.ts";
import { backfillProgress } from "../progress.ts";
import { trapInterrupts } from "./materialize.ts";

export const registerBackfill: RegisterCommand = (program, ctx) => {
  program
    .command("backfill")
    .description("materialize a selection for every trading date of a range, oldest first")
    .argument("<selection>", "assets, as for materialize (latest-state ones run once, first)")
    .requiredOption("--from <YYYY-MM-DD>", "first date")
    .option("--to <YYYY-MM-DD>", "last date (default: the latest trading day)", "latest")
    .option("--force", "rematerialize dates that are already done")
    .option("--concurrency <N>", "assets running at once within a date", "2")
    .action(async (selection: string, opts) => {
      const { io, deps } = ctx;
      select(deps.graph, selection);
      const to = opts.to === "latest" ? parsePartition(undefined, deps.now()) : opts.to;
      let days: string[];
      try {
        days = backfillRange(opts.from, to, deps.now()).days;
      } catch (error) {
        if (error instanceof PartitionError) throw new UsageError(error.message);
        throw error;
      }
      const concurrency = positiveInt(opts.concurrency, "--concurrency");
      const resources = await openMigrated(ctx);
      const untrap = trapInterrupts(io.stderr, resources.db);
      try {
        line(
          io.stderr,
          `backfilling ${selection} over ${days.length} trading day(s), ${days[0]} to ${days.at(-1)}`,
        );
        const summary = await backfill(deps.graph, selection, resources, {
          from: opts.from,
          to,
          force: opts.force === true,
          concurrency,
          progress: backfillProgress(io.stderr as NodeJS.WriteStream),
          log: createLogger({ level: io.env.LOG_LEVEL ?? "warn" }),
        });
        const count = (status: string) => summary.days.filter((d) => d.status === status).length;
        const rows = summary.days.reduce((n, d) => n + d.rows, 0);
        const problems = summary.days.filter(
          (d) => d.status === "failed" || d.status === "waiting",
        );
        line(
          io.stdout,
          `${summary.days.length} dates: ${count("done")} done, ${count("fresh")} already done, ${summary.holidays.length + count("holiday")} holidays, ${count("failed")} failed, ${count("waiting")} waiting; ${rows} rows`,
        );
        if (summary.holidays.length > 0) {
          const names = summary.holidays.map((h) => `${h.date} ${h.name}`).join(", ");
          line(io.stdout, `holidays (no trading, not run): ${names}`);
        }
        if (summary.latestState?.exitCode === 1) {
          line(io.stdout, "latest-state assets failed; no date was run:");
          line(
            io.stdout,
            table(
              ["asset", "status", "note"],
              summary.latestState.outcomes.map((o) => [o.asset, o.status, o.reason]),
            ),
          );
        }
        if (problems.length)
          line(
            io.stdout,
            table(
              ["date", "status", "note"],
              problems.map((d) => [d.partition, d.status, d.note]),
            ),
          );
        ctx.setExit(summary.exitCode);
      } finally {
        untrap();
        await resources.db.close();
      }
    });
};
