/**
 * `fintra status`, `fintra why <asset>` and `fintra watch`: the ledger for people, as the
 * status API shows it, and the alert watch for machines without Inngest (cron it).
 */
import { alertSettings, applyConditions, watchConditions } from "../../runtime/alerts.ts";
import { assetStatuses, whyNot } from "../../runtime/status.ts";
import { ALERT_EXIT, alertTable, reportAlerts } from "../alerts.ts";
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
        const open = await resources.db.ledger.alerts({ status: "open" });
        line(io.stdout, open.length ? `\nopen alerts:\n${alertTable(open)}` : "\nno open alerts");
        const unhealthy = statuses.some((s) => s.state === "failed");
        ctx.setExit(unhealthy ? 1 : open.length > 0 ? ALERT_EXIT : 0);
      } finally {
        await resources.db.close();
      }
    });

  program
    .command("watch")
    .description(
      "raise the alerts the schedule calls for: the day not done by its deadline, runs over budget",
    )
    .action(async () => {
      const { io, deps } = ctx;
      const settings = alertSettings(io.env);
      const resources = await openMigrated(ctx);
      try {
        const found = await watchConditions(resources.db, deps.graph, deps.now(), settings);
        const changes = await applyConditions(resources.db, found);
        await reportAlerts(changes, io, resources.db);
        const open = await resources.db.ledger.alerts({ status: "open" });
        if (changes.length === 0) line(io.stdout, `${open.length} open alert(s), none new`);
        ctx.setExit(open.length > 0 ? ALERT_EXIT : 0);
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
