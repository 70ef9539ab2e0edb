// The engines' contract with the rest of the codebase: pure modules that import nothing of
// ours, never read the clock, randomness, the environment or I/O, and document every public
// function on one line with its units. The rules live in purity-rules.ts; the second block
// below feeds them sources that break each rule, so a rule that can no longer fail is seen.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  docViolations,
  importViolations,
  impurityViolations,
  moduleSpecifiers,
} from "./purity-rules.ts";

const root = join(import.meta.dirname, "../..");
const dir = join(root, "engines");
const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
const sources = files.map((f) => ({ file: f, text: readFileSync(join(dir, f), "utf8") }));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const libraries = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.devDependencies ?? {}),
]);

describe("engines are pure and self-contained", () => {
  it("finds the engine sources", () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files).toContain("fgos.ts");
  });

  it.each(sources)("$file imports only engines/ modules or libraries", ({ text }) => {
    expect(importViolations(text, libraries)).toEqual([]);
  });

  it.each(sources)("$file does not read the clock, randomness, environment or I/O", ({ text }) => {
    expect(impurityViolations(text)).toEqual([]);
  });

  it.each(sources)("$file documents each exported function on one line with units", ({ text }) => {
    expect(docViolations(text)).toEqual([]);
  });
});

describe("the purity rules can fail", () => {
  it("flags imports from outside engines/, Node built-ins and path aliases", () => {
    const bad = [
      'import { sql } from "../db/client.ts";',
      "import { sql } from '../../db/client.ts';",
      'export * from "../sources/fmp.ts";',
      'import "../assets/side-effect.ts";',
      'import { x } from "./sub/dir.ts";',
      'import { readFileSync } from "node:fs";',
      'import { readFileSync } from "fs";',
      'import { db } from "#db";',
      'import { db } from "@/db/client";',
      'const m = await import("../db/client.ts");',
      'const fs = require("fs");',
    ];
    for (const source of bad) expect(importViolations(source, libraries), source).not.toEqual([]);
    expect(importViolations('import { z } from "zod";', libraries)).toEqual([]);
    expect(importViolations('import type { X } from "./math.ts";', libraries)).toEqual([]);
    expect(moduleSpecifiers('// import x from "../db.ts"\n/* from "../y.ts" */')).toEqual([]);
  });

  it("flags the clock, randomness, environment and I/O, but not comments or strings", () => {
    const bad = [
      "const t = Date.now();",
      "const d = new Date();",
      "const d = new Date( );",
      "const s = Date();",
      "const t = performance.now();",
      "const r = Math.random();",
      "const id = crypto.randomUUID();",
      "const k = process.env.KEY;",
      "const g = globalThis.x;",
      "const y = d.getFullYear();",
      "const s = n.toLocaleString();",
      "const f = new Intl.NumberFormat();",
      "await fetch(url);",
      "setTimeout(f, 1);",
      "console.log(x);",
      "const m = await import(name);",
      "const m = require(name);",
    ];
    for (const source of bad) expect(impurityViolations(source), source).not.toEqual([]);
    const clean = [
      "// Date.now() is never read",
      "/* Math.random would break reproducibility */",
      'export * from "./relative-performance.ts";',
      "const ms = Date.UTC(2024, 0, 1);",
      "const d = new Date(ms);",
      "const y = d.getUTCFullYear();",
    ];
    for (const source of clean) expect(impurityViolations(source), source).toEqual([]);
  });

  it("flags undocumented, multi-line or unit-less docs of exported functions", () => {
    expect(docViolations("export function f(x: number) {}")).toEqual([
      "f: no one-line doc right above",
    ]);
    expect(docViolations("// a comment\nexport function f() {}")).toHaveLength(1);
    expect(docViolations("/**\n * Score (0..100).\n */\nexport function f() {}")).toHaveLength(1);
    expect(docViolations("/** Does the thing. */\nexport function f() {}")).toEqual([
      "f: doc states no unit",
    ]);
    expect(docViolations("export const g = (x: number) => x;")).toHaveLength(1);
    expect(docViolations("export async function h() {}")).toHaveLength(1);
    expect(docViolations("/** Score on 0..100. */\n\nexport function f() {}")).toEqual([]);
    expect(docViolations("/** Unitless flag. */\nexport const g = (x: number) => x > 0;")).toEqual(
      [],
    );
  });

  it("would catch a violation injected into a real engine", () => {
    const math = sources.find((s) => s.file === "math.ts")!.text;
    const broken = `${math}\nexport function now() {\n  return Date.now();\n}\n`;
    expect(impurityViolations(broken)).toContain("clock: Date.now()");
    expect(docViolations(broken)).toEqual(["now: no one-line doc right above"]);
    const leaky = `import { sql } from "../db/client.ts";\n${math}`;
    expect(importViolations(leaky, libraries)).toEqual(["outside engines/: ../db/client.ts"]);
  });
});
