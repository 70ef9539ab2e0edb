/** `fintra status` and `fintra why <asset>`: the ledger for people, as the status API shows it. */
import { assetStatuses, whyNot } from "../../runtime/status.ts";
import { openMigrated, type RegisterCommand, select } from "../context.ts";
import { line, table, UsageError } from "../io.ts";

export const registerStatus: RegisterCommand = (program, ctx) => {
  program
    .command("status")
    .description("each asset: state, latest run, rows, duration, and why it is not fresh")
    .action(async () => {
      const { io, deps } = ctx;
      const resources = await openMigrated(ctx);
      try {
        const statuses = await assetStatuses(resources.db, deps.graph, deps.now());
        line(io.stdout, `expected day: ${statuses[0]?.expected ?? "-"}`);
        line(
          io.stdout,
          table(
            ["asset", "state", "last day", "rows", "seconds", "why"],
            statuses.map((s) => [
              s.key,
              s.state,
              s.lastSuccess?.runDate ?? "",
              s.lastSuccess?.rows === null || s.lastSuccess === null
                ? ""
                : String(s.lastSuccess.rows),
              s.lastSuccess?.seconds == null ? "" : s.lastSuccess.seconds.toFixed(1),
              s.reason,
            ]),
          ),
        );
        const unhealthy = statuses.some((s) => s.state === "failed");
        ctx.setExit(unhealthy ? 1 : 0);
      } finally {
        await resources.db.close();
      }
    });

  program
    .command("why")
    .description("the gate's decisions about an asset: why it ran, waited or was skipped")
    .argument("<asset>", "an asset key")
    .option("--date <YYYY-MM-DD>", "only decisions for this day")
    .action(async (asset: string, opts) => {
      const { io, deps } = ctx;
      select(deps.graph, asset);
      if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) {
        throw new UsageError(`bad date "${opts.date}": expected YYYY-MM-DD`);
      }
      const resources = await openMigrated(ctx);
      try {
        const decisions = await whyNot(resources.db, asset, opts.date);
        if (decisions.length === 0) {
          line(
            io.stdout,
            `no decisions recorded for ${asset}${opts.date ? ` on ${opts.date}` : ""}`,
          );
          return;
        }
        line(
          io.stdout,
          table(
            ["decided at", "day", "scope", "trigger", "decision", "reason"],
            decisions.map((d) => [
              d.decidedAt ?? "",
              d.runDate,
              d.scopeKey || "full",
              d.trigger,
              d.decision,
              d.reason,
            ]),
          ),
        );
      } finally {
        await resources.db.close();
      }
    });
};
