/**
 * The `fintra` CLI as a child process for the fault matrix: the real command (cli/main.ts,
 * the registry's graph, resources from the environment), plus one fault hook so a test can
 * catch the process in the middle of an asset without racing it.
 *
 * FINTRA_FAULT_HOLD=<table>:<n> holds the n-th write (upsert or stage) to <table>: the
 * process prints `FAULT-HOLD <table>` on stderr and waits, its ledger row running and its
 * earlier writes done, until the test kills it or writes a line on its stdin (the write
 * then goes on). Nothing else differs from `node cli/bin.js`.
 */
import { createInterface } from "node:readline";
import { graph } from "../../assets/index.ts";
import { processIO } from "../../cli/io.ts";
import { run } from "../../cli/main.ts";
import type { Store } from "../../db/index.ts";
import { openResources } from "../../runtime/resources.ts";

const WRITES = ["upsert", "stage"] as const;

function holdWrites(store: Store, spec: string): void {
  const [table, nth] = spec.split(":");
  let seen = 0;
  for (const method of WRITES) {
    const original = (store as unknown as Record<string, unknown>)[method];
    if (typeof original !== "function") continue;
    const call = original.bind(store) as (table: { name: string }, ...rest: unknown[]) => unknown;
    (store as unknown as Record<string, unknown>)[method] = async (
      spec: { name: string },
      ...rest: unknown[]
    ) => {
      if (spec.name === table && ++seen === Number(nth ?? 1)) {
        process.stderr.write(`FAULT-HOLD ${table}\n`);
        await released();
      }
      return call(spec, ...rest);
    };
  }
}

/** Resolves on the first line written to stdin (the stdin pipe keeps the process alive). */
function released(): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once("line", () => {
      lines.close();
      resolve();
    });
  });
}

const hold = process.env.FINTRA_FAULT_HOLD;
process.exitCode = await run(process.argv.slice(2), processIO, {
  graph,
  now: () => new Date(),
  openResources: async (env) => {
    const resources = await openResources(env);
    if (hold) holdWrites(resources.db, hold);
    return resources;
  },
});
// A held child released by its stdin must not be kept alive by it.
process.stdin.destroy();
