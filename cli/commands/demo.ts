/**
 * `fintra demo` (what `npm start` runs): the sandbox market in process, an
 * embedded PGlite in .fintra/demo, the price history the windows need
 * backfilled, then today's partition of every asset, and a table of what was
 * built. A second run reuses everything already there.
 *
 * The demo never touches DATABASE_URL or a real FMP key: its data is
 * synthetic and stays in its own folder unless --dir says otherwise.
 */
import { resolve } from "node:path";
import { format, subDays, subYears } from "date-fns";
import { openStore } from "../../db/index.ts";
import { backfill } from "../../runtime/backfill.ts";
import { materialize } from "../../runtime/materialize.ts";
import { parseDate, utcDate } from "../../runtime/partitions.ts";
import type { Resources } from "../../runtime/resources.ts";
import { createFmpClient } from "../../sources/fmp/index.ts";
import {
  createSandboxMarket,
  SANDBOX_API_KEY,
  startSandboxServer,
} from "../../sources/sandbox/index.ts";
import { createSecDocumentClient } from "../../sources/sec/index.ts";
import { positiveInt, type RegisterCommand } from "../context.ts";
import { line, table, UsageError } from "../io.ts";
import { parsePort } from "../options.ts";
import { backfillProgress, terminalReporter } from "../progress.ts";
import { trapInterrupts } from "./materialize.ts";
import { servePages } from "./serve.ts";

const DEMO_DIR = ".fintra/demo";

export const registerDemo: RegisterCommand = (program, ctx) => {
  program
    .command("demo")
    .description(
      "build today's graph on the sandbox market into an embedded database (.fintra/demo)",
    )
    // 800: the largest round size whose first run fits a minute on a 2-core machine (57 s;
    // 1,000 took 66 s, 2,000 112 s, most of it the 5-year price history in PGlite).
    .option("--tickers <N>", "instruments in the sandbox market", "800")
    .option("--years <N>", "years of price history to backfill", "5")
    .option("--dir <path>", "PGlite folder for the demo database", DEMO_DIR)
    .option(
      "--serve [port]",
      "then serve the operator's pages on this port (default 3000) until Ctrl-C; their forms run in this process",
    )
    .action(async (opts) => {
      const { io, deps } = ctx;
      const tickers = positiveInt(opts.tickers, "--tickers");
      const servePort =
        opts.serve === undefined ? null : opts.serve === true ? 3000 : parsePort(opts.serve);
      const years = positiveInt(opts.years, "--years");
      if (tickers > 50_000) throw new UsageError("--tickers must be at most 50,000");
      if (years > 5)
        throw new UsageError("--years must be at most 5 (the sandbox serves 6 years of prices)");
      const now = deps.now();
      const market = createSandboxMarket({
        tickers,
        seed: 42,
        asOf: utcDate(now),
        historyYears: years + 1,
      });
      const day = market.latestTradingDay(market.asOf);
      // A few days before the longest window's start, so its start price exists.
      const from = format(subDays(subYears(parseDate(day), years), 7), "yyyy-MM-dd");
      const server = await startSandboxServer({ market });
      const fmp = createFmpClient({
        apiKey: SANDBOX_API_KEY,
        baseUrl: server.url,
        ratePerMinute: 1_000_000,
      });
      const db = await openStore({ pgliteDir: opts.dir });
      // The sandbox serves the filings too, on loopback: the SEC's fair-access pace (at most
      // 10 requests a second) is for sec.gov, so the demo's client does not keep it.
      const sec = createSecDocumentClient({ userAgent: "fintra demo", ratePerSecond: 1_000 });
      const resources: Resources = { db, fmp: () => fmp, sec: () => sec, now: () => now };
      const untrap = trapInterrupts(io.stderr, db);
      try {
        const applied = await db.migrate();
        line(
          io.stderr,
          `demo database ${resolve(opts.dir)}${applied.length ? ` (applied ${applied.length} migrations)` : ""}`,
        );
        line(
          io.stderr,
          `sandbox market: ${market.tickers.length} instruments, latest trading day ${day}`,
        );

        const started = performance.now();
        const history = await backfill(deps.graph, "fintra_universe,datos_eod", resources, {
          from,
          to: day,
          progress: backfillProgress(io.stderr as NodeJS.WriteStream),
        });
        const historyRows = history.days.reduce((n, d) => n + d.rows, 0);
        const historySeconds = (performance.now() - started) / 1000;
        const today = await materialize(deps.graph, "*", resources, {
          partition: day,
          trigger: "demo",
          reporter: terminalReporter(io.stderr as NodeJS.WriteStream),
        });

        line(io.stdout, `\nFintra demo: ${day}, ${market.tickers.length} sandbox instruments\n`);
        line(
          io.stdout,
          table(
            ["asset", "status", "rows", "seconds"],
            [
              [
                "datos_eod history",
                `${history.days.length} dates`,
                String(historyRows),
                historySeconds.toFixed(1),
              ],
              ...today.outcomes.map((o) => [
                o.asset,
                o.status,
                o.rows === null ? "" : String(o.rows),
                o.seconds.toFixed(1),
              ]),
            ],
          ),
        );
        const failed = today.outcomes.filter((o) => o.status === "failed");
        for (const o of failed) line(io.stdout, `\n${o.asset} failed: ${o.reason}`);
        const env =
          opts.dir === DEMO_DIR ? `FINTRA_PGLITE_DIR=${DEMO_DIR}` : `FINTRA_PGLITE_DIR=${opts.dir}`;
        line(io.stdout, "\nLook at the data:");
        line(
          io.stdout,
          `  ${env} npm run -s fintra -- sql "SELECT * FROM datos_eod WHERE price_date = '${day}' LIMIT 5"`,
        );
        line(
          io.stdout,
          `  ${env} npm run -s fintra -- sql "SELECT asset, status, rows_written FROM fintra_materializations ORDER BY started_at DESC LIMIT 10"`,
        );
        line(io.stdout, `  ${env} npm run -s fintra -- sql --file path/to/queries.sql`);
        ctx.setExit(history.exitCode === 1 || today.exitCode === 1 ? 1 : 0);
        if (servePort !== null) {
          untrap();
          await servePages(ctx, resources, servePort);
        }
      } finally {
        untrap();
        await db.close();
        await server.close();
      }
    });
};
