/** Running the CLI in process with captured output, against a PGlite folder of the test's own. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { run } from "../../cli/main.ts";
import { openStore } from "../../db/index.ts";
import type { AssetGraph } from "../../runtime/graph.ts";
import { testResources } from "./resources.ts";
import { TEST_MIGRATIONS } from "./store.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

export class CliHarness {
  readonly dir = mkdtempSync(join(tmpdir(), "fintra-cli-"));
  readonly pgliteDir = join(this.dir, "pglite");

  private readonly graph: AssetGraph;
  private readonly now: Date;

  constructor(graph: AssetGraph, now: Date) {
    this.graph = graph;
    this.now = now;
  }

  async run(...argv: string[]): Promise<CliResult> {
    const out = capture();
    const err = capture();
    const code = await run(
      argv,
      { stdout: out.stream, stderr: err.stream, env: { LOG_LEVEL: "silent" } },
      {
        graph: this.graph,
        now: () => this.now,
        openResources: async () =>
          testResources(
            await openStore({ pgliteDir: this.pgliteDir, migrationDirs: [TEST_MIGRATIONS] }),
            this.now,
          ),
      },
    );
    return { code, stdout: out.text(), stderr: err.text() };
  }

  /** Whether the command created the database folder at all. */
  databaseExists(): boolean {
    return existsSync(this.pgliteDir);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
