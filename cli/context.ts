/** What every command gets: where to write, what to run on, and how to set the exit code. */
import type { Command } from "commander";
import type { AssetGraph } from "../runtime/graph.ts";
import { SelectionError } from "../runtime/graph.ts";
import type { Resources } from "../runtime/resources.ts";
import { type CliIO, UsageError } from "./io.ts";

export interface CliDeps {
  graph: AssetGraph;
  openResources: (env: NodeJS.ProcessEnv) => Promise<Resources>;
  /** The clock input is checked against, before any database is opened. */
  now: () => Date;
}

export interface CommandContext {
  io: CliIO;
  deps: CliDeps;
  setExit(code: number): void;
}

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/** The keys a selection names, or a UsageError. */
export function select(graph: AssetGraph, selection: string): string[] {
  try {
    return graph.select(selection);
  } catch (error) {
    if (error instanceof SelectionError) throw new UsageError(error.message);
    throw error;
  }
}

/** Opens the store and refuses to go on when migrations are pending. */
export async function openMigrated(ctx: CommandContext): Promise<Resources> {
  const resources = await ctx.deps.openResources(ctx.io.env);
  const { pending } = await resources.db.migrationStatus();
  if (pending.length > 0) {
    await resources.db.close();
    throw new UsageError(
      `${pending.length} migration(s) pending (${pending[0]}…): run \`fintra db migrate\` first`,
    );
  }
  return resources;
}

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${flag} must be a positive whole number, got "${text}"`);
  }
  return n;
}
