/** The asset graph for people: an indented text listing and a mermaid flowchart. */
import type { AssetGraph } from "../runtime/graph.ts";

export function graphAsText(graph: AssetGraph): string {
  const width = Math.max(5, ...graph.order.map((k) => k.length));
  const lines = graph.order.map((key) => {
    const def = graph.get(key);
    const kind = def.partitioned ? "daily" : "latest";
    const schedule = def.cron ? `  cron ${def.cron}` : "";
    const deps = def.deps.length ? `<- ${def.deps.join(", ")}` : "(root)";
    return `${key.padEnd(width)}  ${kind.padEnd(6)}  ${deps}${schedule}`;
  });
  return [`${graph.order.length} assets, upstream first:`, ...lines].join("\n");
}

export function graphAsMermaid(graph: AssetGraph): string {
  const lines = ["flowchart LR"];
  for (const key of graph.order) {
    const def = graph.get(key);
    lines.push(`  ${key}${def.partitioned ? `[${key}]` : `([${key}])`}`);
  }
  for (const key of graph.order) {
    for (const dep of graph.get(key).deps) lines.push(`  ${dep} --> ${key}`);
  }
  return lines.join("\n");
}
