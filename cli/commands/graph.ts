/** `fintra graph`: the asset graph as text or mermaid. */
import type { RegisterCommand } from "../context.ts";
import { graphAsMermaid, graphAsText } from "../graph-view.ts";
import { line, UsageError } from "../io.ts";

export const registerGraph: RegisterCommand = (program, ctx) => {
  program
    .command("graph")
    .description("print the asset graph")
    .option("--format <text|mermaid>", "output format", "text")
    .action((opts) => {
      if (opts.format !== "text" && opts.format !== "mermaid") {
        throw new UsageError(`--format must be text or mermaid, got "${opts.format}"`);
      }
      const graph = ctx.deps.graph;
      line(ctx.io.stdout, opts.format === "mermaid" ? graphAsMermaid(graph) : graphAsText(graph));
    });
};
