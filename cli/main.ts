/**
 * The `fintra` command. Bad input (an unknown asset, a malformed date or
 * selection, a non-positive limit) is one line on stderr and exit code 2,
 * before anything is opened or written.
 *
 * Exit codes: 0 done; 1 an asset failed; 2 bad input; 3 an asset is waiting
 * on deps that are not materialized.
 */
import { Command, CommanderError } from "commander";
import { graph as registryGraph } from "../assets/index.ts";
import { openResources } from "../runtime/resources.ts";
import { registerBackfill } from "./commands/backfill.ts";
import { registerDb } from "./commands/db.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerGraph } from "./commands/graph.ts";
import { registerMaterialize } from "./commands/materialize.ts";
import { registerServe } from "./commands/serve.ts";
import { registerStatus } from "./commands/status.ts";
import type { CliDeps, CommandContext } from "./context.ts";
import { type CliIO, line, processIO, UsageError } from "./io.ts";

export type { CliDeps } from "./context.ts";

const defaultDeps: CliDeps = { graph: registryGraph, openResources, now: () => new Date() };

const COMMANDS = [
  registerMaterialize,
  registerBackfill,
  registerStatus,
  registerDb,
  registerGraph,
  registerServe,
  registerDemo,
];

function buildProgram(ctx: CommandContext): Command {
  const program = new Command("fintra")
    .description("Fintra's daily market data as an asset graph")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    });
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function run(
  argv: string[],
  io: CliIO = processIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  let exitCode = 0;
  const program = buildProgram({
    io,
    deps,
    setExit: (code) => {
      exitCode = code;
    },
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      line(io.stderr, `error: ${error.message}`);
      return 2;
    }
    line(io.stderr, `error: ${(error as Error).message.split("\n")[0]}`);
    return 1;
  }
}
