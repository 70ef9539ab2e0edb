/**
 * The snapshot family's modules import one way: no cycle among assets/snapshot/*.ts,
 * counting `import type` edges too (a type-only cycle still ties the files together).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../assets/snapshot");

/** Each module's imports (and re-exports) of its siblings, type-only or not. */
function siblingImports(): Map<string, string[]> {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".ts"));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(path.join(DIR, file), "utf8");
    const specifiers = source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"\.\/([^"/]+)"/gm);
    edges.set(
      file,
      [...specifiers].map((m) => m[1] as string).filter((f) => files.includes(f)),
    );
  }
  return edges;
}

/** Every cycle found by a depth-first walk, as "a.ts -> b.ts -> a.ts". */
function cycles(edges: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const found: string[] = [];
  const visit = (file: string, stack: string[]) => {
    state.set(file, "open");
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === "open")
        found.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      else if (!state.has(next)) visit(next, [...stack, next]);
    }
    state.set(file, "done");
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file, [file]);
  return found;
}

describe("assets/snapshot imports", () => {
  it("see the sibling imports, type-only ones included", () => {
    const edges = siblingImports();
    expect(edges.get("fintra_snapshots.ts")).toEqual(
      expect.arrayContaining(["build.ts", "inputs.ts", "types.ts"]),
    );
    expect(edges.get("verdict.ts")).toContain("dividends.ts");
  });

  it("form no cycle", () => {
    expect(cycles(siblingImports())).toEqual([]);
  });
});
