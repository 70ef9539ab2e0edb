#!/usr/bin/env node
// The `fintra` command. Node 22.18 and later run the TypeScript sources as they are (type
// stripping: the code uses only erasable syntax, tsconfig's erasableSyntaxOnly); older Node
// loads them through tsx, a dev dependency.
if (!process.features.typescript) {
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    console.error(
      `fintra: Node ${process.versions.node} cannot run TypeScript; use Node 22.18+ (the current LTS, 24) or install the dev dependencies (tsx)`,
    );
    process.exit(1);
  }
}
const { run } = await import("./main.ts");
process.exitCode = await run(process.argv.slice(2));
