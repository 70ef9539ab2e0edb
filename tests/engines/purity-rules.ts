// The rules behind purity.test.ts, as plain functions so that the test can also run them on
// sources that break them: a rule that cannot fail checks nothing.
import { builtinModules } from "node:module";

/** Source text without block comments and `//` comments (string contents are kept). */
export function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .split("\n")
    .map((line) => line.replace(/(^|\s)\/\/.*$/, ""))
    .join("\n");
}

/** Every module specifier a source names: static, side-effect, re-export, dynamic, require. */
export function moduleSpecifiers(text: string): string[] {
  const code = stripComments(text);
  const patterns = [
    /\bfrom\s*["'`]([^"'`]+)["'`]/g,
    /\bimport\s*["'`]([^"'`]+)["'`]/g,
    /\bimport\s*\(\s*["'`]([^"'`]+)["'`]/g,
    /\brequire\s*\(\s*["'`]([^"'`]+)["'`]/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]!));
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * Imports an engine may not have: anything relative outside engines/ (only `./name.ts`),
 * Node built-ins (I/O), and bare specifiers that are not an installed library of the project
 * (path aliases such as `#db` or `@/db` would reach our own code).
 */
export function importViolations(text: string, libraries: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const s of moduleSpecifiers(text)) {
    if (s.startsWith(".") || s.startsWith("/")) {
      if (!/^\.\/[a-z0-9-]+\.ts$/.test(s)) out.push(`outside engines/: ${s}`);
      continue;
    }
    const name = packageName(s);
    if (s.startsWith("node:") || builtinModules.includes(name)) out.push(`node built-in: ${s}`);
    else if (!libraries.has(name)) out.push(`not a project library: ${s}`);
  }
  return out;
}

const IMPURE: [RegExp, string][] = [
  [/\bDate\.now\s*\(/, "clock: Date.now()"],
  [/\bnew\s+Date\s*\(\s*\)/, "clock: new Date()"],
  [/(?<![\w.$]|new\s+)Date\s*\(/, "clock: Date() called as a function"],
  [/\bperformance\s*\./, "clock: performance"],
  [/\bMath\.random\b/, "randomness: Math.random"],
  [/\bcrypto\b/, "randomness: crypto"],
  [/\bprocess\s*[.[]/, "environment: process"],
  [/\bglobalThis\b/, "environment: globalThis"],
  [/\b(?:Deno|Bun)\s*\./, "environment: runtime global"],
  [/\.getTimezoneOffset\s*\(|\.toLocale\w*\s*\(|\bIntl\s*\./, "environment: time zone or locale"],
  [
    /\.get(?:FullYear|Month|Date|Day|Hours|Minutes|Seconds|Milliseconds)\s*\(/,
    "environment: local-time getter (use getUTC*)",
  ],
  [/\bfetch\s*\(|\bXMLHttpRequest\b|\bWebSocket\b/, "I/O: network"],
  [/\bset(?:Timeout|Interval|Immediate)\s*\(/, "I/O: timers"],
  [/\bconsole\s*\./, "I/O: console"],
  [/\brequire\s*\(|\bimport\s*\(/, "I/O: dynamic module loading"],
];

/** Clock, randomness, environment and I/O used by the code (comments and strings ignored). */
export function impurityViolations(text: string): string[] {
  // Quoted strings are blanked (a module name like "./relative-performance.ts" is no call);
  // template literals are kept, since their `${}` parts are code.
  const code = stripComments(text).replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
  return IMPURE.filter(([re]) => re.test(code)).map(([, why]) => why);
}

// A doc states its units when it names one of these (or says there are none).
const UNIT_WORDS =
  /unitless|no units?\b|categor|decimal|percent|%|0\.\.100|0\.\.1\b|percentage points|\bpp\b|multiple|\(years?\)|in years|whole years|year number|\bdays?\b|milliseconds|\bcounts?\b|money|currency|per share|same unit|(?:metric|benchmark)'s unit|own units|table units/i;

const EXPORTED_FUNCTION =
  /^export\s+(?:async\s+)?function\s*\*?\s*(\w+)|^export\s+const\s+(\w+)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|\w+\s*=>)/;

/** Exported functions without a one-line `/** … *\/` doc, right above, that states units. */
export function docViolations(text: string): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  lines.forEach((line, i) => {
    const m = EXPORTED_FUNCTION.exec(line);
    if (!m) return;
    const name = m[1] ?? m[2]!;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
    const doc = j >= 0 ? lines[j]!.trim() : "";
    if (!/^\/\*\*.*\*\/$/.test(doc)) out.push(`${name}: no one-line doc right above`);
    else if (!UNIT_WORDS.test(doc)) out.push(`${name}: doc states no unit`);
  });
  return out;
}
