// The engines' contract with the rest of the codebase: pure modules that import nothing of
// ours, never read the clock or unseeded randomness, and document every public function.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "../../engines");
const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
const sources = files.map((f) => ({ file: f, text: readFileSync(join(dir, f), "utf8") }));

describe("engines are pure and self-contained", () => {
  it.each(sources)("$file imports only engines/ modules or libraries", ({ text }) => {
    const specifiers = [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!);
    for (const s of specifiers) {
      if (s.startsWith(".")) expect(s).toMatch(/^\.\/[a-z0-9-]+\.ts$/);
    }
  });

  it.each(sources)("$file does not read the clock, randomness or I/O", ({ text }) => {
    // Comments may name what the code avoids; only code is checked.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    expect(code).not.toMatch(/Date\.now\(|new Date\(\)|Math\.random|process\.|node:fs|fetch\(/);
  });

  it.each(sources)("$file documents each exported function on the line above it", ({ text }) => {
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (!/^export function /.test(line)) return;
      let j = i - 1;
      while (j >= 0 && lines[j]!.trim() === "") j--;
      expect(lines[j]!.trim(), `${line}`).toMatch(/\*\/$/);
    });
  });
});
