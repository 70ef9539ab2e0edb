/**
 * The `fintra` command. Bad input (an unknown asset, a malformed date or
 * selection, a non-positive limit) is one line on stderr and exit code 2,
 * before anything is opened or written.
 *
 * Exit codes: 0 done; 1 an asset failed; 2 bad input; 3 an asset is waiting
 * on deps that are not materialized.
 */
import { Command, CommanderError } from "commander";
import type { AssetGraph } from "../assets/graph.ts";
import { SelectionError } from "../assets/graph.ts";
import { graph as registryGraph } from "../assets/index.ts";
import { createLogger } from "../assets/log.ts";
import { type MaterializeSummary, materialize } from "../assets/materialize.ts";
import { terminalReporter } from "../assets/progress.ts";
import { openResources, type Resources } from "../assets/resources.ts";
import { describeStore, storeConfigFromEnv } from "../db/index.ts";
import { graphAsMermaid, graphAsText } from "./graph-view.ts";
import { type CliIO, line, processIO, table, UsageError } from "./io.ts";
import { parsePartition, parsePort, parseScope } from "./options.ts";

export interface CliDeps {
  graph: AssetGraph;
  openResources: (env: NodeJS.ProcessEnv) => Promise<Resources>;
  /** The clock input is checked against, before any database is opened. */
  now: () => Date;
}

const defaultDeps: CliDeps = { graph: registryGraph, openResources, now: () => new Date() };

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

/** Opens the store and refuses to go on when migrations are pending. */
async function openMigrated(deps: CliDeps, io: CliIO): Promise<Resources> {
  const resources = await deps.openResources(io.env);
  const { pending } = await resources.db.migrationStatus();
  if (pending.length > 0) {
    await resources.db.close();
    throw new UsageError(
      `${pending.length} migration(s) pending (${pending[0]}…): run \`fintra db migrate\` first`,
    );
  }
  return resources;
}

function buildProgram(io: CliIO, deps: CliDeps, setExit: (code: number) => void): Command {
  const program = new Command("fintra")
    .description("Fintra's daily market data as an asset graph")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

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
      const keys = select(deps.graph, selection);
      const scope = parseScope(opts);
      const partition = parsePartition(opts.date, deps.now());
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new UsageError(
          `--concurrency must be a positive whole number, got "${opts.concurrency}"`,
        );
      }
      const resources = await openMigrated(deps, io);
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
        setExit(summary.exitCode);
      } finally {
        await resources.db.close();
      }
    });

  const db = program.command("db").description("database tasks");
  db.command("migrate")
    .description("apply pending SQL migrations (db/migrations) in order")
    .action(async () => {
      const resources = await deps.openResources(io.env);
      try {
        const applied = await resources.db.migrate();
        line(
          io.stdout,
          `${describeStore(storeConfigFromEnv(io.env))}: ${applied.length ? `applied ${applied.join(", ")}` : "already up to date"}`,
        );
      } finally {
        await resources.db.close();
      }
    });

  program
    .command("graph")
    .description("print the asset graph")
    .option("--format <text|mermaid>", "output format", "text")
    .action((opts) => {
      if (opts.format !== "text" && opts.format !== "mermaid") {
        throw new UsageError(`--format must be text or mermaid, got "${opts.format}"`);
      }
      line(
        io.stdout,
        opts.format === "mermaid" ? graphAsMermaid(deps.graph) : graphAsText(deps.graph),
      );
    });

  program
    .command("serve")
    .description("serve the Inngest endpoint and /health (PORT, default 3000)")
    .option("--port <port>", "port to listen on")
    .action(async (opts) => {
      const { startServer, ServerConfigError } = await import("../server/index.ts");
      const port = opts.port !== undefined ? parsePort(opts.port) : undefined;
      try {
        const server = await startServer({ env: io.env, ...(port !== undefined ? { port } : {}) });
        line(io.stderr, `fintra serving ${server.url}/api/inngest and ${server.url}/health`);
        await new Promise<void>((resolve) => {
          const stop = () => void server.close().then(resolve);
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
      } catch (error) {
        if (error instanceof ServerConfigError) throw new UsageError(error.message);
        throw error;
      }
    });

  return program;
}

function select(graph: AssetGraph, selection: string): string[] {
  try {
    return graph.select(selection);
  } catch (error) {
    if (error instanceof SelectionError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function run(
  argv: string[],
  io: CliIO = processIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      line(io.stderr, `error: ${error.message}`);
      return 2;
    }
    line(io.stderr, `error: ${(error as Error).message.split("\n")[0]}`);
    return 1;
  }
}
